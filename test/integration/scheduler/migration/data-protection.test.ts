// Data protection with every part real: the controller, OVS bridges per node,
// the scheduler started with --trusted-pca, and three agents that present
// their attribute certificates (edge1 in Germany, cloud1 in the US, cloud2 in
// France) when they register, signed with their node keys. A regulated task runs only where its
// regulation allows; an operator's move to the US fails in PLANNING with the
// reason while the workload keeps serving at the edge, in one copy; the move
// to France is a real migration.
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MoveInput, MoveRecord, Placed } from "../../../../src/api-types/scheduler.js";
import { type RunningLoop, startLoop } from "../../../../src/demo/loop-cluster.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { testPca } from "../../../helpers/pca.js";
import { ServiceDevice } from "../../../helpers/service-device.js";
import { waitFor } from "../../../helpers/wait.js";

const run = promisify(execFile);
const PREFIX = "fmpca";
const STATE = "/tmp/fmpca-loop-state";
const CERTS = "/tmp/fmpca-loop-certs";
const FINAL = new Set(["COMPLETED", "FAILED"]);
const EU = { countries: ["DE", "FR"], organisations: ["ACME"] };

describeWhen("data protection in the closed loop: regulated tasks stay where their regulation allows", missing([needs.root(), needs.ovs(), needs.criu()]), () => {
  let loop: RunningLoop;

  beforeAll(async () => {
    await run("bash", ["scripts/services.sh", "start", "ovs"]);
    rmSync(STATE, { recursive: true, force: true });
    rmSync(CERTS, { recursive: true, force: true });
    mkdirSync(CERTS, { recursive: true });
    // The PCA's certificates are real Ed25519 signatures (notBefore a day ago, valid 30 days from the helper's NOW: use today).
    const pca = testPca();
    writeFileSync(`${CERTS}/pca.pub`, pca.keys.publicKey.export({ format: "pem", type: "spki" }) as string);
    const now = Date.now();
    const cert = (node: string, country: string) => {
      const file = `${CERTS}/${node}.json`;
      const id = pca.issueWithKey(node, { country, organisations: ["ACME"], notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000) });
      writeFileSync(file, JSON.stringify(id.cert));
      writeFileSync(`${CERTS}/${node}.key`, id.key.export({ format: "pem", type: "pkcs8" }) as string, { mode: 0o600 });
      return ["--attribute-cert", file, "--node-key", `${CERTS}/${node}.key`];
    };
    loop = await startLoop({
      prefix: PREFIX,
      stateDir: STATE,
      nodes: [
        { name: "edge1", tier: "edge", site: "edge-a", cpus: 1, netDelayMs: 2, agentArgs: cert("edge1", "DE") },
        { name: "cloud1", tier: "cloud", site: "cloud", cpus: 2, netDelayMs: 20, agentArgs: cert("cloud1", "US") },
        { name: "cloud2", tier: "cloud", site: "cloud", cpus: 2, netDelayMs: 20, agentArgs: cert("cloud2", "FR") },
      ],
      schedulerArgs: ["--min-residence", "0", "--trusted-pca", `${CERTS}/pca.pub`],
    });
  }, 120_000);

  afterAll(async () => {
    await loop?.stop();
    rmSync(STATE, { recursive: true, force: true });
    rmSync(CERTS, { recursive: true, force: true });
  }, 60_000);

  async function move(input: MoveInput): Promise<MoveRecord> {
    const requested = await loop.scheduler.requestMove(input);
    return waitFor(
      async () => {
        const m = await loop.scheduler.migration(requested.id);
        return FINAL.has(m.state ?? "") ? m : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 100, what: `move ${requested.id} of ${input.task} to a final state` },
    );
  }

  const copies = (task: string) => loop.copies(task);

  it("the agents' certificates arrived with their registrations", async () => {
    const nodes = await loop.scheduler.nodes();
    expect(Object.fromEntries(nodes.map((n) => [n.name, n.attributeCert?.payload.country]))).toEqual({ edge1: "DE", cloud1: "US", cloud2: "FR" });
  });

  it("a regulated task runs where its regulation allows; a move to the US fails in PLANNING and it keeps serving at the edge; a move to France migrates it", async () => {
    const outcome = await loop.scheduler.submitTask(
      { id: "eu-1", device: "dev-eu-1", workload: "detect", inputClass: "small", delayBudgetMs: 400, regulation: EU },
      { timeoutMs: 60_000 },
    );
    if (outcome.outcome !== "placed") throw new Error(`refused: ${outcome.refused.reason}\n${loop.tails()}`);
    const placed: Placed = outcome.placed;
    expect(placed.node).toBe("edge1");

    const device = new ServiceDevice(placed.serviceIp!, placed.port!, { everyMs: 50, timeoutMs: 60_000 });
    device.start();
    await device.answersAfter(3);
    const refused = await move({ task: "eu-1", to: "cloud1" });
    expect(refused.state, refused.log?.join("\n")).toBe("FAILED");
    expect(refused.error).toBe("destination cloud1 not allowed for task eu-1: node cloud1: country US not allowed by regulation [DE, FR]");
    expect(refused.timeline?.map((t) => t.state).filter((s, i, all) => i === 0 || all[i - 1] !== s)).toEqual(["PENDING", "PLANNING", "FAILED"]);
    expect(refused.agentMigrationId, "no agent migration was started").toBeUndefined();
    await device.answersAfter(3);
    expect((await copies("eu-1")).map((c) => c.node)).toEqual(["edge1"]);
    expect((await loop.scheduler.task("eu-1")).node).toBe("edge1");

    const moved = await move({ task: "eu-1", to: "cloud2" });
    expect(moved.state, moved.log?.join("\n")).toBe("COMPLETED");
    expect(moved.log).toContain("INFO [DataProtection]: destination cloud2 satisfies the task's regulation");
    await device.answersAfter(3);
    await device.stop();
    expect((await copies("eu-1")).map((c) => c.node)).toEqual(["cloud2"]);
    await loop.scheduler.releaseTask("eu-1");
  }, 300_000);

  it("a task whose regulation no node satisfies is refused with each node's reason", async () => {
    const outcome = await loop.scheduler.submitTask({ id: "jp-1", device: "dev-jp", workload: "detect", inputClass: "small", delayBudgetMs: 400, regulation: { countries: ["JP"] } });
    expect(outcome.outcome).toBe("refused");
    if (outcome.outcome === "refused") expect(outcome.refused.reason).toMatch(/^no node satisfies the task's regulation: node edge1: country DE not allowed by regulation \[JP\]/);
  });
});
