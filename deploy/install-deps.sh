#!/usr/bin/env bash
# Installs the Debian 12 packages cchcbot needs to build and run, when they are missing.
# With --test, also what the tests need beyond the build: a real browser for the web console's
# tests (chromium, chromium-driver, python3-selenium).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libssl-dev openssl
  libsqlitecpp-dev libsqlite3-dev sqlite3 catch2
  libtomlplusplus-dev libutf8proc-dev libcli11-dev libspdlog-dev libfmt-dev
  libxlsxwriter-dev libkainjow-mustache-dev libzip-dev libexpat1-dev
  curl wrk unzip
)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium chromium-driver python3-selenium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
