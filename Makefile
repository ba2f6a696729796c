# The two commands: `make run` and `make test`. Plain `make` builds only.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build run test bench soak clean asan tsan

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

# Sanitizer runs: the unit tests and a short convergence run (real servers built with the same
# sanitizer), each in its own build folder. A report fails the run.
SAN_STEPS ?= 60
asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNCLINE_SANITIZE=address \
	  -DSYNCLINE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-asan -j$(JOBS) --target unit_tests integration_tests syncline
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ./unit_tests
	cd build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 SYNCLINE_SOAK_STEPS=$(SAN_STEPS) \
	  ./integration_tests --gtest_filter='ConvergenceTest.*'

tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNCLINE_SANITIZE=thread \
	  -DSYNCLINE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-tsan -j$(JOBS) --target unit_tests integration_tests syncline
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ./unit_tests
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1 SYNCLINE_SOAK_STEPS=$(SAN_STEPS) \
	  ./integration_tests --gtest_filter='ConvergenceTest.*'

clean:
	rm -rf $(BUILD) build-asan build-tsan
