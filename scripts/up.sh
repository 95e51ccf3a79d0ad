#!/usr/bin/env bash
# Installs what is missing, then starts the whole system with its embedded demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/fleximigrate.js up "$@"
