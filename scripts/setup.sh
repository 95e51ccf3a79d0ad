#!/usr/bin/env bash
# Installs everything FlexiMigrate needs on a fresh Debian 12 machine:
# npm packages always; as root also the Debian packages (Open vSwitch,
# Mininet, Docker, dig, busybox, openssl, Chromium for the browser tests,
# etcd for the distributed store's tests) and CRIU 4.2.1 from sid, unpacked in a
# private folder (see shared/PLATFORM.md: bookworm's CRIU 3.17 fails here,
# and 4.1.1 cannot dump TCP sockets on this kernel).
# Idempotent: each step is skipped when its result is already present.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
log() { printf '[setup] %s\n' "$*" >&2; }

# `npm install` rather than `npm ci`: it installs the locked versions all the
# same, and npm 11 writes lock files whose other-platform optional packages
# (rollup's, biome's) its own `npm ci` then rejects as missing.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm install (locked versions)"
  npm install --no-audit --no-fund --loglevel=error
fi

if [ "$(id -u)" != 0 ]; then
  log "not root: skipping Debian packages and CRIU (root-only tests will skip)"
  exit 0
fi

DEBS="openvswitch-switch mininet docker.io busybox-static dnsutils iproute2 iputils-ping curl ethtool openssl chromium etcd-server"
missing=""
for p in $DEBS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  log "apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

bash scripts/install-criu.sh
