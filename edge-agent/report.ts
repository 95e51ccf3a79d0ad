// Registers with the scheduler and reports load every few seconds. The
// scheduler may be down: log, back off, never crash.
import si from "systeminformation";
import type { Agent } from "./service/agent.js";

export interface NodeReport {
  cpu: { usage: number; cores: number };
  memory: { total: number; used: number };
  load: number;
  workloads: Array<{ id: string; cpu: number; memoryBytes: number }>;
  capabilities: unknown;
}

export async function buildReport(agent: Agent): Promise<NodeReport> {
  const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
  const workloads = [];
  for (const w of agent.workloads.values()) {
    const s = await agent.runtimeFor(w).stats(w).catch(() => ({ id: w.id, cpu: 0, memoryBytes: 0 }));
    agent.lastStats.set(w.id, s.memoryBytes);
    workloads.push(s);
  }
  return {
    cpu: { usage: load.currentLoad / 100, cores: load.cpus.length },
    memory: { total: mem.total, used: mem.active },
    load: load.avgLoad,
    workloads,
    capabilities: agent.caps,
  };
}

export function startReporting(agent: Agent, scheduler: string, opts: { intervalMs?: number; endpoint: string; netDelayMs?: number }): () => void {
  let stopped = false;
  let registered = false;
  let backoff = 1000;
  const interval = opts.intervalMs ?? 3000;
  const send = async (method: string, url: string, body: unknown) => {
    const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}`);
  };
  const tick = async () => {
    if (stopped) return;
    let delay = interval;
    try {
      if (!registered) {
        const cpus = (await si.cpu()).cores;
        await send("POST", `${scheduler}/v1/nodes`, { name: agent.opts.node, tier: agent.opts.tier, cpus, netDelayMs: opts.netDelayMs ?? 0, endpoint: opts.endpoint });
        registered = true;
        agent.log(`registered with ${scheduler}`);
      }
      await send("PUT", `${scheduler}/v1/nodes/${encodeURIComponent(agent.opts.node)}/report`, await buildReport(agent));
      backoff = 1000;
    } catch (err) {
      agent.log(`scheduler ${scheduler}: ${(err as Error).message}; retry in ${backoff} ms`);
      if (/404/.test((err as Error).message)) registered = false;
      delay = backoff;
      backoff = Math.min(backoff * 2, 30_000);
    }
    if (!stopped) timer = setTimeout(() => void tick(), delay);
  };
  let timer = setTimeout(() => void tick(), 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
