// One readable terminal line per scheduler event, as `up` shows them live.
// Events arrive as JSON from the scheduler's WebSocket; unknown shapes still print.

type Json = Record<string, unknown>;

export function eventLine(event: Json): string {
  const time = typeof event.at === "string" ? event.at.slice(11, 23) : "--:--:--.---";
  return `${time}  ${describe(event)}`;
}

function describe(e: Json): string {
  const task = (e.task ?? {}) as Json;
  const what = () => `${task.id} (${task.device}: ${task.workload}/${task.inputClass}, budget ${ms(task.delayBudgetMs)}${prio(task.priority)})`;
  switch (e.type) {
    case "placed": {
      const moves = Array.isArray(e.migrations) && e.migrations.length > 0 ? `, after moving ${e.migrations.length} task(s)` : "";
      return `placed    ${what()} on ${e.node}: ${cores(e.cpuShare)}, ${ms(e.predictedDelayMs)} predicted [case ${e.case ?? "?"}${moves}]`;
    }
    case "refused":
      return `refused   ${what()}: ${e.reason}`;
    case "migration-requested": {
      const m = (e.migration ?? {}) as Json;
      const t = (m.task ?? {}) as Json;
      return `move      ${t.id} ${m.from} -> ${m.to} with ${cores(m.cpuShare)} (${m.id}, ${m.status})`;
    }
    case "migration.transition":
      return `migration ${e.migration} of ${e.task} ${e.from} -> ${e.to}: ${e.previous ?? "new"} -> ${e.state}${e.error ? ` (${e.error})` : ""}`;
    case "migration.completed": {
      const m = (e.metrics ?? {}) as Json;
      return `moved     ${e.task} ${e.from} -> ${e.to} by ${e.strategy}: frozen ${ms(m.frozenMs)}, network reconfigured in ${ms(m.networkReconfigurationMs)}, redirect ${ms(m.resumeToRedirectMs)} after resume, ${ms(m.totalMs)} in all`;
    }
    case "task.unavailable":
      return `lost      ${e.task} on ${e.node}: the node stopped reporting`;
    case "task.available":
      return `back      ${e.task} on ${e.node}`;
    case "devices":
      return `devices   ${e.text}`;
    case "released":
      return `released  ${e.task} from ${e.node}`;
    case "node-registered": {
      const n = (e.node ?? {}) as Json;
      return `node      ${n.name} registered: ${n.tier}, ${n.cpus} cores, ${ms(n.netDelayMs)} network delay${n.endpoint ? `, agent ${n.endpoint}` : ""}`;
    }
    case "node-removed":
      return `node      ${e.node} removed`;
    case "device-removed":
      return `device    ${e.device} removed (${e.reason})`;
    default:
      return `${String(e.type ?? "event")}  ${JSON.stringify(e)}`;
  }
}

function ms(x: unknown): string {
  return typeof x === "number" ? `${Math.round(x)} ms` : "? ms";
}

function cores(x: unknown): string {
  return typeof x === "number" ? `${x.toFixed(2)} cores` : "? cores";
}

function prio(p: unknown): string {
  return typeof p === "number" ? `, priority ${p}` : "";
}
