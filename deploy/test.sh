#!/usr/bin/env bash
# One command: install what is missing, build, and run the whole test suite through ctest,
# then again under AddressSanitizer + UndefinedBehaviorSanitizer.
# BOT_SKIP_ASAN=1 skips the sanitizer pass (a quicker local run).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
jobs="$(nproc)"

cmake --preset default >/dev/null
cmake --build --preset default -j"$jobs"
ctest --preset default -j"$jobs"

if [ "${BOT_SKIP_ASAN:-0}" != "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j"$jobs"
fi
