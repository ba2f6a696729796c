# The two commands: `make run` and `make test`. Plain `make` builds only.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build run test bench soak clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/syncline serve --data $(DATA) --listen $(LISTEN)

test: build
	cd $(BUILD) && ctest --output-on-failure -j2 --timeout 900

bench: build
	@scripts/install-deps.sh rsync curl python3
	bench/run.sh $(BUILD)

# A long randomized convergence run (3 masters, faults); SEEDS and STEPS can be changed.
SEEDS ?= 1 2 3 4 5
STEPS ?= 5000
soak: build
	@for seed in $(SEEDS); do \
	  echo "soak: seed $$seed, $(STEPS) steps"; \
	  SYNCLINE_SEED=$$seed SYNCLINE_SOAK_STEPS=$(STEPS) $(BUILD)/integration_tests \
	    --gtest_filter='ConvergenceTest.*' || exit 1; \
	done

clean:
	rm -rf $(BUILD)
