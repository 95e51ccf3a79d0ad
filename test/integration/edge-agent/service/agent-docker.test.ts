// The agent service with the Docker runtime behind it (real engine): a
// container created through POST /v1/workloads with a CPU limit, reported with
// stats, refused for post-copy migration with the reason (Docker moves by stop-and-copy), deleted.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { detectCapabilities } from "../../../../edge-agent/capabilities.js";
import { buildReport } from "../../../../edge-agent/report.js";
import { ensureTestImage } from "../../../fixtures/docker-image.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { requestJson } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

describeWhen("agent service with the Docker runtime", missing([needs.root(), needs.docker()]), () => {
  let agent: Agent;
  let app: FastifyInstance;
  let base = "";
  let image = "";
  const id = `fmd-agent-${process.pid}`;

  beforeAll(async () => {
    agent = new Agent({ node: "fmd-agent", tier: "edge", selfUrl: "", workRoot: "/dev/shm/fmd-agent", allow: TEST_ALLOW }, await detectCapabilities());
    image = await ensureTestImage(agent.docker.docker);
    app = await buildApp(agent);
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  }, 120_000);

  afterAll(async () => {
    await agent?.deleteWorkload(id).catch(() => undefined);
    await app?.close();
  });

  it("creates a container with a CPU limit, reports its stats, and deletes it", async () => {
    expect(agent.caps.docker.present).toBe(true);
    const created = await requestJson<WorkloadRecord>("POST", `${base}/v1/workloads`, {
      id,
      image,
      command: ["sh", "-c", "while :; do :; done"],
      cpuLimit: 0.25,
      labels: { region: "eu" },
    }, 60_000);
    expect(created.status).toBe(201);
    expect(created.body.runtime).toBe("docker");
    expect(created.body.containerId).toBeTruthy();
    // Two reports: CPU is a rate between samples.
    await buildReport(agent);
    await new Promise((r) => setTimeout(r, 1500));
    const report = await buildReport(agent);
    const mine = report.workloads.find((w) => w.id === id)!;
    expect(mine.memoryBytes).toBeGreaterThan(0);
    expect(mine.cpu).toBeGreaterThan(0);
    expect(mine.cpu).toBeLessThan(0.6); // the 0.25-core quota holds a busy loop well under a core
    const refused = await requestJson<{ message: string }>("POST", `${base}/v1/migrations`, { workload: id, destination: "http://127.0.0.1:9", strategy: "postcopy" });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/direct-runtime/);
    const del = await requestJson("DELETE", `${base}/v1/workloads/${id}`, undefined, 60_000);
    expect(del.status).toBe(204);
    expect((await requestJson<{ workloads: unknown[] }>("GET", `${base}/v1/workloads`)).body.workloads).toEqual([]);
    const openapi = await requestJson<{ paths: Record<string, unknown> }>("GET", `${base}/openapi.json`);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(["/v1/workloads", "/v1/migrations", "/v1/migrations/{id}"]));
  }, 120_000);

  it("lists a container whose command ended as exited, with its exit status", async () => {
    const ended = `${id}-exits`;
    const created = await requestJson<WorkloadRecord>("POST", `${base}/v1/workloads`, { id: ended, image, command: ["sh", "-c", "sleep 0.5; exit 4"], cpuLimit: 0.25 }, 60_000);
    expect(created.status).toBe(201);
    const listed = async () => (await requestJson<{ workloads: WorkloadRecord[] }>("GET", `${base}/v1/workloads`)).body.workloads.find((w) => w.id === ended);
    const record = await waitFor(async () => ((await listed())?.state === "exited" ? listed() : undefined), { timeoutMs: 30_000, what: `${ended} listed as exited` });
    expect(record?.exit).toMatchObject({ code: 4 });
    expect((await requestJson("DELETE", `${base}/v1/workloads/${ended}`, undefined, 60_000)).status).toBe(204);
  }, 120_000);
});
