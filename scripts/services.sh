#!/usr/bin/env bash
# start|stop the system services the integration tests and `up` need:
# Open vSwitch (ovsdb-server + ovs-vswitchd) and the Docker engine.
# Only what this script started is stopped, by the PID it recorded.
set -uo pipefail
STATE=${FLEXIMIGRATE_STATE:-/run/fleximigrate}
mkdir -p "$STATE"
log() { printf '[services] %s\n' "$*" >&2; }

start() {
  [ "$(id -u)" = 0 ] || { log "not root: not starting OVS or Docker"; return 0; }
  if command -v ovs-vsctl >/dev/null && ! ovs-vsctl --timeout=2 show >/dev/null 2>&1; then
    log "starting Open vSwitch"
    /usr/share/openvswitch/scripts/ovs-ctl --system-id=random start >/dev/null 2>&1 || log "ovs-ctl start failed"
    touch "$STATE/ovs.started"
  fi
  if command -v dockerd >/dev/null && ! docker info >/dev/null 2>&1; then
    log "starting dockerd"
    PATH=/usr/local/sbin:$PATH nohup dockerd --experimental >"$STATE/dockerd.log" 2>&1 &
    echo $! > "$STATE/dockerd.pid"
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || log "dockerd did not come up (see $STATE/dockerd.log)"
  fi
}

stop() {
  if [ -f "$STATE/dockerd.pid" ]; then
    pid=$(cat "$STATE/dockerd.pid")
    kill "$pid" 2>/dev/null && for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    rm -f "$STATE/dockerd.pid"
  fi
  if [ -f "$STATE/ovs.started" ]; then
    /usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null 2>&1 || true
    rm -f "$STATE/ovs.started"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
