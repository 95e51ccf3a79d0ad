// `fleximigrate service-groups` against an in-process scheduler whose group
// moves run through the manager with fake agents.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SchedulerApp, SchedulerAppOptions } from "../../../../scheduler/service/app.js";
import { runCli } from "../../../helpers/cli.js";
import { FakeAgent, FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, LOOSE, makeApp } from "../service/helpers.js";

/** Fake agents for group moves: each side holds what the other sends it; every migration resumes with measured bytes. */
function fakeAgentsWithPeers(edgeUrl: string): NonNullable<SchedulerAppOptions["agents"]> {
  const calls: string[] = [];
  const edge = new FakeAgent("edge1", calls);
  const cloud = new FakeAgent("cloud1", calls);
  edge.peer = cloud;
  cloud.peer = edge;
  const resumed = {
    phase: "awaiting-commit" as const,
    resumedAt: "2026-01-01T00:00:01Z",
    metrics: { strategy: "stopcopy" as const, reason: "test", totalMs: 200, downtimeMs: 150, bytesBeforeResume: 5_000_000, bytesAfterResume: 0, pagesOnFault: 0, pagesPushed: 0, breakdown: { dumpMs: 40, transferMs: 100 } },
  };
  edge.script = [resumed];
  cloud.script = [resumed];
  return (endpoint) => (endpoint === edgeUrl ? edge : cloud);
}

let app: SchedulerApp;
let base: string;
beforeAll(async () => {
  const agents = fakeAgentsWithPeers(EDGE.endpoint!);
  app = await makeApp([{ ...EDGE, cpus: 3 }, { ...CLOUD, endpoint: "http://127.0.0.1:7703" }], { agents, prober: new FakeProber([]), limits: { pollMs: 1 } });
  for (const [id, member, order, replica] of [["db", "db", 0, 0], ["api-0", "api", 1, 0], ["api-1", "api", 1, 1]] as const) {
    await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id, group: { name: "shop", member, order, replica } } });
  }
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(() => app.close());

describe("fleximigrate service-groups", () => {
  it("lists groups with where each member runs", async () => {
    const out = await runCli(["service-groups", "--scheduler", base]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^GROUP\s+MEMBER\s+REPLICA\s+ORDER\s+TASK\s+NODE/);
    expect(out.stdout).toMatch(/^shop\s+api\s+1\s+1\s+api-1\s+edge1/m);
    expect(JSON.parse((await runCli(["service-groups", "--scheduler", base, "--json"])).stdout)[0].members).toHaveLength(3);
  });

  it("migrate --wait follows the group to its outcome, progress on stderr; show lists and shows it", async () => {
    const out = await runCli(["service-groups", "migrate", "shop", "--to", "cloud1", "--wait", "--scheduler", base]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^g-1 running: db /m);
    expect(out.stdout).toMatch(/^g-1: group shop -> cloud1 \(onFailure rollback, strategy auto\)/);
    expect(out.stdout).toMatch(/^state completed, total \d+ ms/m);
    expect(out.stdout).toMatch(/^api-1\s+api\s+1\s+1\s+edge1\s+cloud1\s+Migrated\s+COMPLETED\s+m-3/m);
    expect(out.stdout).toMatch(/^1\s+1\s+db\s+.*first round/m);
    const list = await runCli(["service-groups", "show", "shop", "--scheduler", base]);
    expect(list.stdout).toMatch(/^g-1\s+shop\s+cloud1\s+completed\s+3\s+3/m);
    const one = JSON.parse((await runCli(["service-groups", "show", "shop", "g-1", "--json", "--scheduler", base])).stdout);
    expect(one).toMatchObject({ id: "g-1", state: "completed" });
  });

  it("clear errors: no --to, unknown group, a destination that cannot take it, bad words", async () => {
    const noTo = await runCli(["service-groups", "migrate", "shop", "--scheduler", base]);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toMatch(/migrate needs --to NODE/);
    const unknown = await runCli(["service-groups", "migrate", "nope", "--to", "cloud1", "--scheduler", base]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no group 'nope'/);
    const there = await runCli(["service-groups", "migrate", "shop", "--to", "cloud1", "--scheduler", base]);
    expect(there.stderr).toMatch(/already runs on cloud1/);
    expect((await runCli(["service-groups", "frobnicate", "--scheduler", base])).code).toBe(2);
    expect((await runCli(["service-groups", "migrate", "shop", "--to", "edge1", "--on-failure", "pray", "--scheduler", base])).code).toBe(2);
    const help = await runCli(["service-groups", "--help"]);
    expect(help.stdout).toMatch(/migrate NAME --to NODE/);
    expect(help.stdout).toMatch(/--on-failure/);
  });
});
