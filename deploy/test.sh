#!/usr/bin/env bash
# One command: install what is missing, build, and run the whole test suite through ctest,
# then again under AddressSanitizer + UndefinedBehaviorSanitizer, then the threaded integration
# tests (server, webhook, dispatcher, outbox, tokens: tags [server] and [zalo]; task threads, import
# watcher, reports, end to end: [console], [dossiers], [core], [reports], [e2e]) under ThreadSanitizer.
# BOT_SKIP_ASAN=1 / BOT_SKIP_TSAN=1 skip a sanitizer pass (a quicker local run).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --test
jobs="$(nproc)"
# The browser tests of the web console must run here, not skip (they skip only where nothing installed them).
export CCHCBOT_REQUIRE_BROWSER=1

cmake --preset default >/dev/null
cmake --build --preset default -j"$jobs"
ctest --preset default -j"$jobs"

if [ "${BOT_SKIP_ASAN:-0}" != "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j"$jobs"
fi

if [ "${BOT_SKIP_TSAN:-0}" != "1" ]; then
  # Only the two targets the integration tests need (preset tsan), and only the tests where
  # threads meet: running the whole suite a third time would mostly repeat single-threaded code.
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j"$jobs"
  # Besides the server and Zalo tests, where other threads meet the worker: the console's and the
  # API's task threads, the import folder's watcher, the report's two threads, the end-to-end runs.
  # Two processes side by side, one per core: the server's and Zalo's tests, and the others (a
  # test with tags from both runs in the first only).
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  others='[console]~[server]~[zalo],[dossiers]~[server]~[zalo],[e2e]~[server]~[zalo],[core]~[server]~[zalo],[reports]~[server]~[zalo]'
  ./build-tsan/tests/bot_tests '[server],[zalo]' >build-tsan/tsan-server-zalo.log 2>&1 &
  first=$!
  ./build-tsan/tests/bot_tests "$others" >build-tsan/tsan-others.log 2>&1 &
  second=$!
  status=0
  wait "$first" || status=1
  wait "$second" || status=1
  for log in build-tsan/tsan-server-zalo.log build-tsan/tsan-others.log; do
    echo "== $log"
    if [ "$status" = 0 ]; then tail -n 3 "$log"; else cat "$log"; fi
  done
  exit "$status"
fi
