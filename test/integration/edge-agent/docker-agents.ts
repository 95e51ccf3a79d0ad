// Two agent services in the test process sharing the one Docker engine, as the
// Docker migration suites use them: start and stop them, make a busybox shell
// counting in memory, read its counter, and follow a migration to its end.
import { rmSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { detectCapabilities } from "../../../edge-agent/capabilities.js";
import type { MigrationRecord } from "../../../edge-agent/migration/machine.js";
import type { DockerRuntime } from "../../../edge-agent/runtime/docker.js";
import type { WorkloadRecord } from "../../../edge-agent/runtime/types.js";
import { Agent } from "../../../edge-agent/service/agent.js";
import { buildApp } from "../../../edge-agent/service/app.js";
import { requestJson } from "../../helpers/http.js";
import { waitFor } from "../../helpers/wait.js";
import { TEST_ALLOW } from "../../helpers/allow-list.js";

/**
 * A shell whose counter lives in its memory; /tmp/count only shows it. Written
 * aside and renamed, so a read (or a checkpoint) never sees the file truncated.
 */
export const COUNTER = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done"];

export interface AgentNode {
  agent: Agent;
  app: FastifyInstance;
  url: string;
  workRoot: string;
}

/** An agent service on an ephemeral 127.0.0.1 port, its scratch root under /dev/shm. */
export async function startAgentNode(name: string, opts: { allowFaults?: boolean } = {}): Promise<AgentNode> {
  const workRoot = `/dev/shm/${name}`;
  rmSync(workRoot, { recursive: true, force: true });
  const agent = new Agent({ node: name, tier: "edge", selfUrl: "", workRoot, ...opts, allow: TEST_ALLOW }, await detectCapabilities());
  const app = await buildApp(agent);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  agent.opts.selfUrl = url; // the destination watches the source's migration record here
  return { agent, app, url, workRoot };
}

/** Deletes the node's workloads, closes its service and removes its scratch root. */
export async function stopAgentNode(n: AgentNode | undefined): Promise<void> {
  if (!n) return;
  for (const w of [...n.agent.workloads.keys()]) await n.agent.deleteWorkload(w, { force: true }).catch(() => undefined);
  await n.app.close();
  rmSync(n.workRoot, { recursive: true, force: true });
}

/** Removes every container whose name contains `prefix` (this run's, and a crashed run's). */
export async function removeContainers(runtime: DockerRuntime, prefix: string): Promise<void> {
  const mine = await runtime.docker.listContainers({ all: true, filters: { name: [prefix] } });
  for (const c of mine) await runtime.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
}

/** The COUNTER shell's value in container `containerId`. */
export async function counterOf(runtime: DockerRuntime, containerId: string): Promise<number> {
  const record: WorkloadRecord = { id: containerId, containerId, runtime: "docker", spec: { cpuLimit: 1, ports: [], labels: {} }, state: "running", createdAt: "" };
  return Number((await runtime.exec(record, ["cat", "/tmp/count"])).trim());
}

/** Creates the COUNTER workload `id` on `node` and waits until it counted to 40. */
export async function createCounter(runtime: DockerRuntime, node: AgentNode, image: string, id: string): Promise<WorkloadRecord> {
  const created = await requestJson<WorkloadRecord>("POST", `${node.url}/v1/workloads`, { id, image, command: COUNTER, cpuLimit: 0.5 }, 60_000);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  // Far enough that a counter restarted from 0 could not catch up within the checks after a move.
  await waitFor(async () => (await counterOf(runtime, created.body.containerId!).catch(() => 0)) >= 40, { timeoutMs: 30_000, what: "the counter to reach 40" });
  return created.body;
}

/** Polls migration `id` on `source` until it is no longer running (at most 90 s). */
export async function finishedMigration(source: AgentNode, id: string): Promise<MigrationRecord> {
  let last: MigrationRecord | undefined;
  return waitFor(
    async () => {
      last = (await requestJson<MigrationRecord>("GET", `${source.url}/v1/migrations/${id}`)).body;
      return last.status !== "running" && last;
    },
    { timeoutMs: 90_000, intervalMs: 200, what: () => `migration ${id} to end (still ${last?.phase})` },
  );
}
