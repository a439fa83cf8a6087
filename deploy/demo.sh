#!/usr/bin/env bash
# One command: install what is missing, build, and start the demo (the server on its embedded
# defaults with the built-in Zalo simulator). Extra arguments go to `cchcbot demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target cchcbot -j"$(nproc)"
exec ./build/cchcbot demo "$@"
