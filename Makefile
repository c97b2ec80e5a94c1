# Top-level convenience wrapper around CMake (newcomer commands).
#   make            build build/exhunt
#   make test       build and run the test suite (normal build)
#   make asan       ASan+UBSan build in build-asan/ and run the test suite there
#   make test-all   the whole suite, as CI runs it: check + test + asan + a
#                   short fuzz burst (FUZZ_SECONDS=5 per target)
#   make format     clang-format every C file in place
#   make check      clang-format check + banned-function check + no OS header
#                   in lib/ outside lib/platform/ (as CI does)
#   make fuzz       libFuzzer targets (clang) for FUZZ_SECONDS each (default 10),
#                   each with its dictionary (tests/fuzz/dict/NAME.dict) and
#                   flags (tests/fuzz/NAME.flags) when it has them
#   make fuzz-long  the same for FUZZ_LONG_SECONDS each (default 600; 15
#                   targets: about 2 h 30 min); not part of CI (docs/fuzzing.md)
#   make bench      scan benchmark against yara and sha256sum (bench/)
#   make example    hunt the bundled example evidence (verdicts, HTML report)
#   make screenshot the example's HTML report as build/example-report.png
#   make report-pdf the example's HTML report printed to build/example-report.pdf
#   make windows    exhunt.exe, static, cross-built with mingw-w64 into
#                   build-win/ (its libraries from Debian's source packages,
#                   built once into build-win/deps/ by tools/win/build-deps.sh)
#   make test-windows  the Windows suite under wine (docs/windows.md)
#   make dist       release files in dist/: exhunt-linux-x86_64, exhunt.exe,
#                   SHA256SUMS (reproducible from the same commit)
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 10
FUZZ_LONG_SECONDS ?= 600

.PHONY: all build test asan test-all format check fuzz fuzz-long bench example screenshot report-pdf \
	windows test-windows dist clean

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

test-all: check test asan test-windows
	$(MAKE) fuzz FUZZ_SECONDS=5

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	tools/check-banned.sh
	tools/check-os-headers.sh

# New inputs go to build-fuzz/corpus-NAME, seeded from tests/fuzz/corpus/NAME;
# a crash input is left in build-fuzz/ to be committed under tests/fuzz/crashes/NAME
# (docs/fuzzing.md). FUZZ_TARGETS="csv w3c" runs only those.
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz:
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DEXHUNT_FUZZ=ON -DEXHUNT_WERROR=OFF
	cmake --build build-fuzz -j $(JOBS)
	set -e; for n in $(FUZZ_TARGETS); do \
	  t=fuzz_$$n; \
	  mkdir -p build-fuzz/corpus-$$n; \
	  for f in tests/fuzz/corpus/$$n/*; do case $$(basename $$f) in README*|LICENSE*) ;; *) cp -n $$f build-fuzz/corpus-$$n/ 2>/dev/null || true;; esac; done; \
	  if [ $$n = logs ]; then cp -n ../shared/research-data/datasets/evtx-attack-samples/*.evtx build-fuzz/corpus-logs/ 2>/dev/null || true; \
	    for e in ../shared/research-data/datasets/evtx-attack-samples/*.evtx; do [ -f "$$e" ] && gzip -nc "$$e" >build-fuzz/corpus-logs/$$(basename "$$e").gz; done; fi; \
	  opts="-max_len=65536"; [ -f tests/fuzz/$$n.flags ] && opts=$$(cat tests/fuzz/$$n.flags); \
	  [ -f tests/fuzz/dict/$$n.dict ] && opts="$$opts -dict=../tests/fuzz/dict/$$n.dict"; \
	  echo "== $$t ($(FUZZ_SECONDS) s) $$opts"; \
	  (cd build-fuzz && LSAN_OPTIONS=suppressions=../tests/fuzz/lsan.supp \
	     ./tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) $$opts corpus-$$n); \
	done

fuzz-long:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_LONG_SECONDS)

bench: build
	bench/scan_bench.sh

# Any verdict's exit code is a success here (1: the compromised example);
# 2 is a usage or runtime error.
# The examples were collected on 2021-03-03: git keeps no file times, so
# --collected says when (docs/hunt.md).
example: build
	./build/exhunt hunt --collected 2021-03-03T13:05:00Z --report html=build/example-report.html \
	  examples/compromised-exchange examples/clean-exchange; rc=$$?; test $$rc -ne 2 -a $$rc -lt 128
	@echo "HTML report: build/example-report.html"

# The example's HTML report rendered in headless Chromium (checked as the
# tests do), saved as a PNG for people to look at.
screenshot: example
	python3 tests/html/check_report.py build/example-report.html --expect-verdict COMPROMISED \
	  --screenshot build/example-report.png

# The same report as "print to PDF" makes it (headless Chromium, the report's
# print stylesheet), read back with pdftotext (poppler-utils) and checked.
report-pdf: example
	bash tests/html/print_pdf.sh build/example-report.html build/example-report.pdf
	python3 tests/html/check_pdf.py build/example-report.pdf build/example-report.html
	@echo "PDF: build/example-report.pdf"

# The Windows build: dependencies first (cached: a no-op once built), then
# exhunt.exe with the toolchain file, the host's exh-rulec compiling the
# embedded YARA pack with the same yara as the Windows libyara.
WIN_DEPS ?= $(CURDIR)/build-win/deps
windows:
	tools/win/build-deps.sh $(WIN_DEPS)
	cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/tools/win/mingw-w64.cmake \
	  -DEXH_WIN_DEPS=$(WIN_DEPS) -DEXHUNT_RULEC=$(WIN_DEPS)/host/bin/exh-rulec \
	  -DCMAKE_BUILD_TYPE=Release
	cmake --build build-win -j $(JOBS)

# Under wine, in a throwaway prefix made by the tests themselves.
test-windows: windows
	cmake -S . -B build-win -DEXHUNT_LINUX_EXE=$(CURDIR)/build/exhunt
	$(MAKE) build
	cd build-win && ctest --output-on-failure -j $(JOBS)

# Release files. Both binaries are built in their own trees with the paths
# of this checkout mapped away and no link timestamp, so the same commit
# gives the same bytes (tools/dist.sh checks it by building twice).
dist:
	tools/dist.sh

# build-win/deps (the Windows libraries, 5.5 min to rebuild) is kept.
clean:
	rm -rf build build-asan build-fuzz build-dist
	[ ! -d build-win ] || find build-win -mindepth 1 -maxdepth 1 ! -name deps -exec rm -rf {} +
