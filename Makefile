# The two commands: `make run` and `make test`. Plain `make` builds only.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build run test bench soak clean asan tsan fuzz screenshots

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

# The studio's pages as the browser tests see them, into docs/studio/ (shown in the README).
screenshots: build
	STUDIO_SCREENSHOTS=$(CURDIR)/docs/studio /usr/bin/python3 tests/studio/studio_test.py $(BUILD)/syncline

bench: build
	@scripts/install-deps.sh rsync curl python3 time
	@# PouchDB for the client benchmark; a Node.js from elsewhere (NodeSource) brings its own npm.
	@command -v npm >/dev/null || scripts/install-deps.sh nodejs npm
	bench/run.sh $(BUILD)

# Long randomized convergence runs (3 masters with faults; 4 offline clients with cuts); SEEDS
# and STEPS can be changed.
SEEDS ?= 1 2 3 4 5
STEPS ?= 5000
soak: build
	@for seed in $(SEEDS); do \
	  echo "soak: seed $$seed, $(STEPS) steps"; \
	  SYNCLINE_SEED=$$seed SYNCLINE_SOAK_STEPS=$(STEPS) $(BUILD)/integration_tests \
	    --gtest_filter='ConvergenceTest.*' || exit 1; \
	  SYNCLINE_SEED=$$seed SYNCLINE_SOAK_STEPS=$(STEPS) $(BUILD)/unit_tests \
	    --gtest_filter='ClientConvergenceTest.*' || exit 1; \
	done

# Sanitizer runs: the unit tests and a short convergence run (real servers built with the same
# sanitizer), each in its own build folder. A report from any process, the servers included
# (their reports go to build-*/sanitizer.*), fails the run.
SAN_STEPS ?= 60
asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNCLINE_SANITIZE=address \
	  -DSYNCLINE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-asan -j$(JOBS) --target unit_tests integration_tests syncline
	@rm -f build-asan/sanitizer.*
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:log_path=$(CURDIR)/build-asan/sanitizer \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(CURDIR)/build-asan/sanitizer \
	  ./unit_tests
	cd build-asan && ASAN_OPTIONS=detect_leaks=0:log_path=$(CURDIR)/build-asan/sanitizer \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(CURDIR)/build-asan/sanitizer \
	  SYNCLINE_SOAK_STEPS=$(SAN_STEPS) ./integration_tests --gtest_filter='ConvergenceTest.*'
	@if ls build-asan/sanitizer.* >/dev/null 2>&1; then cat build-asan/sanitizer.*; \
	  echo "asan: sanitizer reports above"; exit 1; fi
	@echo "asan: no reports"

tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNCLINE_SANITIZE=thread \
	  -DSYNCLINE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-tsan -j$(JOBS) --target unit_tests integration_tests syncline
	@rm -f build-tsan/sanitizer.*
	cd build-tsan && TSAN_OPTIONS=second_deadlock_stack=1:log_path=$(CURDIR)/build-tsan/sanitizer \
	  ./unit_tests
	cd build-tsan && TSAN_OPTIONS=log_path=$(CURDIR)/build-tsan/sanitizer \
	  SYNCLINE_SOAK_STEPS=$(SAN_STEPS) ./integration_tests --gtest_filter='ConvergenceTest.*'
	@if ls build-tsan/sanitizer.* >/dev/null 2>&1; then cat build-tsan/sanitizer.*; \
	  echo "tsan: sanitizer reports above"; exit 1; fi
	@echo "tsan: no reports"

# libFuzzer (clang): each target runs FUZZ_SECONDS on a working corpus seeded from
# tests/fuzz/corpus/<target>; crash inputs land in build-fuzz/crashes/<target>/ (fix, then copy
# them to tests/fuzz/regressions/<target>/, which `make test` replays).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= api receiver chunk_batch chunk_delta filter json url peer_reply
fuzz:
	@scripts/install-deps.sh clang libclang-rt-14-dev
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSYNCLINE_FUZZ=ON -DSYNCLINE_BUILD_TESTS=OFF -DSYNCLINE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/crashes/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz_$$t build-fuzz/corpus/$$t tests/fuzz/corpus/$$t \
	    -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build-fuzz/crashes/$$t/ \
	    -print_final_stats=1 -print_coverage=0 || exit 1; \
	done

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
