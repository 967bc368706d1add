#!/usr/bin/env bash
# Install MotCua Counter into .venv and run it. With no arguments it starts the demo
# (throw-away data folder, demo PKI, gateway on loopback); otherwise arguments go to `motcua`.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
fi
missing=()
for lib in libEGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3; do
  ldconfig -p | grep -q "$lib" || missing+=("$lib")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libgl1 libxkbcommon-x11-0 libxcb-cursor0
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -c constraints.txt -e '.[gateway]'  # the demo's gateway
if [ $# -eq 0 ]; then set -- demo; fi
exec .venv/bin/motcua "$@"
