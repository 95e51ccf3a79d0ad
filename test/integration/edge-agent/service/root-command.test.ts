// Issue 13's root command, against a real agent on loopback with its default
// allow-list: `sh -c "id > /tmp/x"` wrote uid=0(root) even though its answer
// was a 500. Now it is a 4xx, and nothing of it is on the host: no file, no
// cgroup under the agent's node, no process running it, no journal entry.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { detectCapabilities } from "../../../../edge-agent/capabilities.js";
import { CGROUP_ROOT } from "../../../../edge-agent/runtime/cgroup.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { requestJson } from "../../../helpers/http.js";

const cgroupV1 = (): boolean => existsSync(path.join(CGROUP_ROOT, "cpu", "cpu.cfs_quota_us"));

/** Every process whose command line names `marker`. */
function processesNaming(marker: string): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describeWhen("the root command of issue 13", missing([needs.root(), [cgroupV1, "no cgroup v1 cpu controller"]]), () => {
  const node = `fmw-root-${process.pid}`;
  const workRoot = `/dev/shm/${node}`;
  const target = `/tmp/fmw-x-${process.pid}`;
  let agent: Agent;
  let app: FastifyInstance;
  let base = "";

  beforeAll(async () => {
    rmSync(target, { force: true });
    agent = new Agent({ node, tier: "edge", selfUrl: "", workRoot, stateDir: path.join(workRoot, "state") }, await detectCapabilities());
    for (const note of await agent.openState()) void note;
    app = await buildApp(agent);
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  }, 120_000);

  afterAll(async () => {
    for (const id of [...(agent?.workloads.keys() ?? [])]) await agent.deleteWorkload(id, { force: true }).catch(() => undefined);
    await app?.close();
    await agent?.closeState();
    rmSync(workRoot, { recursive: true, force: true });
    rmSync(target, { force: true });
  });

  const attacks: Array<[string, Record<string, unknown>, RegExp]> = [
    ["sh -c", { id: "attack-sh", command: ["sh", "-c", `id > ${target}`], cpuLimit: 0.5 }, /^body\/command: /],
    ["an absolute /bin/sh", { id: "attack-abs", command: ["/bin/sh", "-c", `id > ${target}`], cpuLimit: 0.5 }, /^body\/command: /],
    ["an allowed Node with inline code", { id: "attack-node", command: [process.execPath, "-e", `require('fs').writeFileSync('${target}', 'x')`], cpuLimit: 0.5 }, /^body\/command: /],
    ["LD_PRELOAD beside an allowed command", { id: "attack-ld", command: [process.execPath, "/tmp/fleximigrate-workloads/image-server-000000000000.mjs"], env: { LD_PRELOAD: target }, cpuLimit: 0.5 }, /^body\/env\/LD_PRELOAD: /],
  ];
  for (const [what, body, message] of attacks) {
    it(`${what}: 400 naming the field; no file, cgroup, process or record left`, async () => {
      const res = await requestJson<{ code: string; message: string }>("POST", `${base}/v1/workloads`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.message).toMatch(message);
      // A process would have written by now; give a late one a moment anyway.
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(target)).toBe(false);
      for (const controller of ["cpu", "cpuacct", "memory"]) {
        const nodeDir = path.join(CGROUP_ROOT, controller, "fleximigrate", node);
        const groups = existsSync(nodeDir) ? readdirSync(nodeDir) : [];
        expect(groups.filter((g) => g.startsWith(`${body.id}.`)), `${controller} cgroups of ${body.id}`).toEqual([]);
      }
      expect(processesNaming(target)).toEqual([]);
      expect((await requestJson<{ workloads: unknown[] }>("GET", `${base}/v1/workloads`)).body.workloads).toEqual([]);
      const journal = path.join(workRoot, "state");
      const recorded = existsSync(journal) ? readdirSync(journal).map((f) => readFileSync(path.join(journal, f), "utf8")).join("") : "";
      expect(recorded).not.toContain(String(body.id));
    });
  }
});
