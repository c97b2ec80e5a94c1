# Top-level convenience wrapper around CMake (newcomer commands).
#   make            build build/exhunt
#   make test       build and run the test suite (normal build)
#   make asan       ASan+UBSan build in build-asan/ and run the test suite there
#   make test-all   the whole suite, as CI runs it: check + test + asan
#   make format     clang-format every C file in place
#   make check      clang-format check + banned-function check (as CI does)
#   make bench      scan benchmark against yara and sha256sum (bench/)
#   make example    scan the bundled example evidence
JOBS ?= $(shell nproc)

.PHONY: all build test asan test-all format check bench example clean

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

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	tools/check-banned.sh

bench: build
	bench/scan_bench.sh

example: build
	./build/exhunt scan examples/compromised-exchange; test $$? -le 1

clean:
	rm -rf build build-asan
