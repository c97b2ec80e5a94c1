#!/usr/bin/env bash
# check-banned.sh - functions banned in lib/ (../shared/CONVENTIONS.md):
# unbounded string functions, unchecked number parsing, and raw allocation
# (everything allocates through lib/core/alloc.c so tests can fail it).
set -u
cd "$(dirname "$0")/.."
status=0
banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atoll|gets|sscanf)[[:space:]]*\('
raw_alloc='\b(malloc|calloc|realloc|free|strdup|strndup)[[:space:]]*\('
hits=$(grep -rnE "$banned" lib --include='*.c' --include='*.h' | grep -v '^\s*//')
if [ -n "$hits" ]; then
  echo "banned functions in lib/:"; echo "$hits"; status=1
fi
# alloc.c is the wrapper itself. free() of memory that libc allocated
# (realpath) is allowed where the line says so.
hits=$(grep -rnE "$raw_alloc" lib --include='*.c' | grep -v '^lib/core/alloc.c:' |
       grep -vE '\bexh_(malloc|calloc|realloc|free|strdup|strndup|reallocarray)\(' |
       grep -v 'realpath' | grep -vE '(EVP_MD_CTX_free|EVP_MD_free|_free)\(' )
if [ -n "$hits" ]; then
  echo "raw allocation in lib/ (use exh_malloc and friends):"; echo "$hits"; status=1
fi
[ $status = 0 ] && echo "banned-function check: clean"
exit $status
