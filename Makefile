# Top-level convenience wrapper around CMake (newcomer commands).
#   make            build build/exhunt
#   make test       build and run the test suite (normal build)
#   make asan       ASan+UBSan build in build-asan/ and run the test suite there
#   make test-all   the whole suite, as CI runs it: check + test + asan + a
#                   short fuzz burst (FUZZ_SECONDS=5 per target)
#   make format     clang-format every C file in place
#   make check      clang-format check + banned-function check (as CI does)
#   make fuzz       libFuzzer targets (clang) for FUZZ_SECONDS each (default 10)
#   make bench      scan benchmark against yara and sha256sum (bench/)
#   make example    hunt the bundled example evidence (verdicts, HTML report)
#   make screenshot the example's HTML report as build/example-report.png
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 10

.PHONY: all build test asan test-all format check fuzz bench example screenshot clean

all: build

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $(JOBS)

test: build
	cd build && ctest --output-on-failure -j $(JOBS)

asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEXHUNT_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

test-all: check test asan
	$(MAKE) fuzz FUZZ_SECONDS=5

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	tools/check-banned.sh

# New inputs go to build-fuzz/corpus-NAME, seeded from tests/fuzz/corpus/NAME;
# a crash input is left in build-fuzz/ to be committed under tests/fuzz/crashes/NAME.
fuzz:
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DEXHUNT_FUZZ=ON -DEXHUNT_WERROR=OFF
	cmake --build build-fuzz -j $(JOBS)
	set -e; for src in tests/fuzz/fuzz_*.c; do \
	  t=$$(basename $$src .c); n=$${t#fuzz_}; \
	  mkdir -p build-fuzz/corpus-$$n; cp -n tests/fuzz/corpus/$$n/* build-fuzz/corpus-$$n/ 2>/dev/null || true; \
	  if [ $$n = logs ]; then cp -n ../shared/research-data/datasets/evtx-attack-samples/*.evtx build-fuzz/corpus-logs/ 2>/dev/null || true; fi; \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  (cd build-fuzz && ./tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 corpus-$$n); \
	done

bench: build
	bench/scan_bench.sh

example: build
	./build/exhunt hunt --report html=build/example-report.html \
	  examples/compromised-exchange examples/clean-exchange; test $$? -le 1
	@echo "HTML report: build/example-report.html"

# The example's HTML report rendered in headless Chromium (checked as the
# tests do), saved as a PNG for people to look at.
screenshot: example
	python3 tests/html/check_report.py build/example-report.html --expect-verdict COMPROMISED \
	  --screenshot build/example-report.png

clean:
	rm -rf build build-asan build-fuzz
