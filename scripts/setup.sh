#!/usr/bin/env bash
# Installs the Debian packages deferbench needs, and only those missing.
# Idempotent and quick when everything is present (one dpkg-query call).
# As root it installs; otherwise it prints the command to run and exits 1.
# --tests adds what only the tests need: Debian's chromium, which renders the
# reports and the site's index as a person sees them.
set -euo pipefail

PACKAGES=(
  g++ cmake make git pkg-config
  libbenchmark-dev libgtest-dev libpfm4-dev nlohmann-json3-dev
  valgrind
  python3 python3-matplotlib python3-numpy python3-scipy python3-pytest
  golang-go golang-src
)
if [ "${1:-}" = "--tests" ]; then
  PACKAGES+=(chromium)
fi

missing=()
while read -r name status; do
  [ "$status" = "installed" ] || missing+=("$name")
done < <(for p in "${PACKAGES[@]}"; do
           s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
           echo "$p ${s:-absent}"
         done)

[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "deferbench: missing packages (${missing[*]}) and no apt-get: deferbench's set-up supports Debian and its derivatives" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "deferbench: missing Debian packages; install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "deferbench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
