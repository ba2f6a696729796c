#!/usr/bin/env bash
# Installs the Debian packages Syncline needs to build and test, only those missing.
# Uses sudo when not root. Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail

packages=(
  g++ make cmake pkg-config ccache
  libboost-dev libsqlite3-dev libssl-dev libzstd-dev libxxhash-dev libsodium-dev libcurl4-openssl-dev libre2-dev
  nlohmann-json3-dev libsimdjson-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  curl  # the README tour's last step, checked by make test
  # The studio's browser tests (tests/studio/): Chromium driven through chromedriver, and the
  # Prometheus client's parser for /metrics.
  chromium chromium-driver python3-selenium python3-prometheus-client
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
