// Registers with the scheduler and reports load every few seconds. The
// scheduler may be down: log, back off, never crash.
import type { ClientTls } from "../src/http/tls-fetch.js";
import si from "systeminformation";
import type { KeyObject } from "node:crypto";
import type { AttributeCertificate, NodeReport, NodeSpec } from "../src/api-types/scheduler.js";
import { proveRegistration } from "../src/pca/proof.js";
import { SchedulerClient } from "../src/clients/scheduler.js";
import { ServiceError } from "../src/http/client-errors.js";
import type { Agent } from "./service/agent.js";

export async function buildReport(agent: Agent): Promise<NodeReport> {
  const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
  const workloads = [];
  // Each report also notices workloads that ended (exited() of their runtime).
  for (const w of await agent.refreshWorkloads()) {
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

/** The node's attribute certificate and the private key it certifies. */
export interface NodeIdentity {
  cert: AttributeCertificate;
  key: KeyObject;
}

export function startReporting(
  agent: Agent,
  scheduler: string,
  opts: { intervalMs?: number; endpoint: string; netDelayMs?: number; cpus?: number; identity?: NodeIdentity; tls?: ClientTls },
): () => void {
  let stopped = false;
  let registered = false;
  let backoff = 1000;
  const interval = opts.intervalMs ?? 3000;
  // One try per tick: this loop keeps its own, longer backoff.
  const client = new SchedulerClient(scheduler, { timeoutMs: 5000, ...(opts.tls ? { tls: opts.tls } : {}) });
  const once = { retry: false };
  const tick = async () => {
    if (stopped) return;
    let delay = interval;
    try {
      if (!registered) {
        const cpus = opts.cpus ?? (await si.cpu()).cores;
        const spec: NodeSpec = { name: agent.opts.node, tier: agent.opts.tier, cpus, netDelayMs: opts.netDelayMs ?? 0, endpoint: opts.endpoint };
        // The node presents its certificate, and signs the registration with the key it certifies (docs/data-protection.md).
        const id = opts.identity;
        await client.registerNode(id ? { ...spec, attributeCert: id.cert, proof: proveRegistration(spec, id.cert, id.key, new Date()) } : spec, once);
        registered = true;
        agent.log(`registered with ${scheduler}`);
      }
      await client.report(agent.opts.node, await buildReport(agent), once);
      backoff = 1000;
    } catch (err) {
      agent.log(`${(err as Error).message}; retry in ${backoff} ms`);
      // The scheduler forgot this node (restarted, or removed it): register again.
      if (err instanceof ServiceError && err.status === 404) registered = false;
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
