#!/usr/bin/env bash
# start|stop [ovs] [docker]: the system services the integration tests, `up`
# and the benchmarks need: Open vSwitch (ovsdb-server + ovs-vswitchd) and the
# Docker engine (both when none is named). Only what this script started is
# stopped, by the PID it recorded in $FLEXIMIGRATE_STATE.
set -uo pipefail
STATE=${FLEXIMIGRATE_STATE:-/run/fleximigrate}
mkdir -p "$STATE"
log() { printf '[services] %s\n' "$*" >&2; }

wants() { [ -z "$SERVICES" ] || [[ " $SERVICES " == *" $1 "* ]]; }

start() {
  [ "$(id -u)" = 0 ] || { log "not root: not starting OVS or Docker"; return 0; }
  if wants ovs && command -v ovs-vsctl >/dev/null && ! ovs-vsctl --timeout=2 show >/dev/null 2>&1; then
    log "starting Open vSwitch"
    /usr/share/openvswitch/scripts/ovs-ctl --system-id=random start >/dev/null 2>&1 || log "ovs-ctl start failed"
    touch "$STATE/ovs.started"
  fi
  if wants docker && command -v dockerd >/dev/null && ! docker info >/dev/null 2>&1; then
    log "starting dockerd"
    PATH=/usr/local/sbin:$PATH nohup dockerd --experimental >"$STATE/dockerd.log" 2>&1 &
    echo $! > "$STATE/dockerd.pid"
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || log "dockerd did not come up (see $STATE/dockerd.log)"
  fi
}

stop() {
  if wants docker && [ -f "$STATE/dockerd.pid" ]; then
    pid=$(cat "$STATE/dockerd.pid")
    kill "$pid" 2>/dev/null && for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    rm -f "$STATE/dockerd.pid"
    # The engine we started made its bridge; it outlives the engine unless removed.
    ip link delete docker0 2>/dev/null || true
  fi
  if wants ovs && [ -f "$STATE/ovs.started" ]; then
    /usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null 2>&1 || true
    rm -f "$STATE/ovs.started"
  fi
}

ACTION=${1:-}
SERVICES=${*:2}
for s in $SERVICES; do
  case "$s" in ovs|docker) ;; *) echo "usage: $0 start|stop [ovs] [docker]" >&2; exit 2 ;; esac
done
case "$ACTION" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [ovs] [docker]" >&2; exit 2 ;;
esac
