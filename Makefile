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
	@scripts/install-deps.sh rsync curl
	bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
