// The testbed for real (as root): the `fleximigrate` Mininet topo under `mn`
// (through mininet/mn_safe.py, so Mininet's host-wide cleanup can never run),
// then a short `saturate`, the `fsm` scenario, a reduced `strategies` (one
// small size, each strategy) and the `group` scenario on the testbed that
// `testbed run` and `up --testbed` build (every service under mutual TLS),
// with their results checked.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { Child } from "../../../src/demo/children.js";
import { demoTrust } from "../../../src/demo/demo-trust.js";
import { loadDefinition } from "../../../src/testbed/definition.js";
import { cleanPrefix } from "../../../src/testbed/clean.js";
import type { Measurements } from "../../../src/testbed/scenario/measurements.js";
import { runScenario } from "../../../src/testbed/scenario/run.js";
import { loadScenario } from "../../../src/testbed/scenario/validate.js";
import { describeWhen, missing, needs } from "../../helpers/env.js";

const run = promisify(execFile);
const PREFIX = "fmt";
const BASE_PORT = 44300;
const log = (line: string) => process.stderr.write(`[testbed test] ${line}\n`);

describeWhen("the Mininet testbed: topology, saturate, fsm, strategies and group scenarios", missing([needs.root(), needs.ovs(), needs.mininet(), needs.criu()]), () => {
  const results = mkdtempSync("/tmp/fmt-results-");

  beforeAll(async () => {
    await run("bash", ["scripts/services.sh", "start", "ovs"]);
    await cleanPrefix(PREFIX);
  }, 120_000);

  afterAll(async () => {
    await cleanPrefix(PREFIX).catch(() => undefined);
    rmSync(results, { recursive: true, force: true });
  }, 60_000);

  it("`mn --custom mininet/topos.py --topo fleximigrate` builds the topology with our controller: pingall drops nothing, everything removed after", async () => {
    const ctlState = mkdtempSync("/tmp/fmt-ctl-");
    const ctl = new Child("controller", ["controller", "--openflow-port", String(BASE_PORT + 53), "--http-port", String(BASE_PORT + 81), "--dns-port", "0", "--state-dir", ctlState, "--quiet", ...demoTrust(ctlState, []).args]);
    try {
      await ctl.waitForLine(/"openflowPort"/, 60_000);
      const { stdout, stderr } = await run(
        "/usr/bin/python3",
        ["mininet/mn_safe.py", "--custom", "mininet/topos.py", "--topo", `fleximigrate,prefix=${PREFIX},delay=5,bw=50`, "--controller", `remote,ip=127.0.0.1,port=${BASE_PORT + 53}`, "--test", "pingall"],
        { timeout: 150_000 },
      );
      const out = stdout + stderr;
      expect(out).toMatch(/Results: 0% dropped \(42\/42 received\)/);
      expect(out).not.toMatch(/global cleanup refused/);
      const { stdout: netns } = await run("ip", ["netns", "list"]);
      expect(netns.split("\n").filter((l) => l.startsWith(`${PREFIX}-`))).toEqual([]);
      const { stdout: brs } = await run("ovs-vsctl", ["list-br"]);
      expect(brs.split("\n").filter((l) => l.startsWith(`${PREFIX}-`))).toEqual([]);
    } finally {
      await ctl.stop();
      rmSync(ctlState, { recursive: true, force: true });
    }
  }, 200_000);

  const read = (dir: string) => JSON.parse(readFileSync(path.join(dir, "measurements.json"), "utf8")) as Measurements;

  it("saturate (short): devices fill the edge, at least one real post-copy move edge→cloud; every moved service answers on its unchanged IP from one place; the report has its plots", async () => {
    const file = path.join(results, "saturate-short.yaml");
    // The shipped saturate, shorter and lighter (fewer devices, one request a second): on a 2-core
    // machine shared with other work, a heavier load makes the moved services miss their probes.
    const shipped = parseYaml(readFileSync("mininet/scenarios/saturate.yaml", "utf8"));
    shipped.durationS = 35;
    shipped.devices = [
      { ...shipped.devices[0], count: 4, rate: 1 },
      { ...shipped.devices[1], count: 1, rate: 1, startS: 8 },
    ];
    writeFileSync(file, stringifyYaml(shipped));
    const scenario = loadScenario(file);
    const { dir } = await runScenario(scenario, { prefix: PREFIX, basePort: BASE_PORT, definition: loadDefinition(), scenarioFile: file, resultsRoot: results, log });
    const m = read(dir);
    const tb = m.testbed[0]!;
    console.log(`saturate: startup ${tb.startupMs} ms, teardown ${tb.teardownMs} ms; WAN ${JSON.stringify(tb.wan)}; ${m.requests.length} requests, miss rate ${m.policies[0]?.missRate}`);
    // Mutual TLS: every agent answered the scheduler and the runner on its site address, by https.
    expect(tb.services?.tls).toBe(true);
    expect(Object.values(tb.services!.agents).every((u) => /^https:\/\/10\.144\.254\.\d+:\d+$/.test(u))).toBe(true);
    // The WAN was measured through the relay, and each node registered its own measured delay.
    for (const w of tb.wan) expect(w.rttMinMs).toBeGreaterThanOrEqual(w.configuredRttMs);
    const cloudDelay = tb.delays.find((d) => d.tier === "cloud")!.registeredMs;
    for (const d of tb.delays.filter((x) => x.tier === "edge")) expect(d.registeredMs).toBeLessThan(cloudDelay);
    const done = m.migrations.filter((x) => x.state === "COMPLETED");
    expect(done.length, JSON.stringify(m.migrations.map((x) => [x.task, x.state, x.error]))).toBeGreaterThan(0);
    expect(done.some((x) => x.strategy === "postcopy" && x.from.startsWith("edge") && x.to === "cloud1")).toBe(true);
    expect(m.moved.length).toBe(done.length);
    for (const x of m.moved) {
      expect(x.answered, `${x.task} on ${x.ip}`).toBe(true);
      expect(x.copies).toEqual([x.to]);
    }
    // Requests the devices really sent, each with the node that served it (a task's node, moves followed).
    expect(m.requests.length).toBeGreaterThan(50);
    const nodes = new Set(tb.delays.map((d) => d.node));
    expect(m.requests.filter((q) => !nodes.has(q.servedBy))).toEqual([]);
    for (const x of done) {
      expect(x.completedT).toBeGreaterThan(x.t);
      expect(m.requests.filter((q) => q.task === x.task && q.t > x.completedT! + 1000 && q.servedBy !== x.to)).toEqual([]);
    }
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    for (const id of ["latency", "migrations", "reconfiguration", "miss-rate", "edge-cpu"]) expect(html).toMatch(new RegExp(`<figure class="plot" id="plot-${id}"><figcaption>[^<]*</figcaption><svg`));
    expect(existsSync(path.join(dir, "trace.json"))).toBe(true);
  }, 400_000);

  it("fsm: each of the six scenarios ends in its expected final state with the workload in one place; the report is written", async () => {
    const file = "mininet/scenarios/fsm.yaml";
    const { dir } = await runScenario(loadScenario(file), { prefix: PREFIX, basePort: BASE_PORT, definition: loadDefinition(), scenarioFile: file, resultsRoot: results, log });
    const m = read(dir);
    expect(m.fsm.map((x) => x.case)).toEqual(["success", "PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION"]);
    for (const x of m.fsm) {
      expect(x.states, x.case).toEqual(x.expectedStates);
      expect(x.copies, `${x.case}: where the workload runs`).toEqual([x.expectedNode]);
      expect(x.ok).toBe(true);
    }
    expect(m.fsm[0]!.final).toBe("COMPLETED");
    expect(m.fsm.slice(1).every((x) => x.final === "FAILED")).toBe(true);
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    expect(html).toMatch(/<figure class="plot" id="plot-migrations"><figcaption>[^<]*<\/figcaption><svg/);
    expect(html).toContain("FSM scenarios");
  }, 900_000);

  it("strategies (reduced: 16 MiB, each strategy): the same workload moved edge→cloud over the WAN by stop-and-copy, post-copy and Docker's checkpoint; each move's downtime, time, bytes and outcome; the report plots them", async () => {
    const file = path.join(results, "strategies-ci.yaml");
    const shipped = parseYaml(readFileSync("mininet/scenarios/strategies.yaml", "utf8"));
    shipped.sizesMiB = [16];
    writeFileSync(file, stringifyYaml(shipped));
    const { dir } = await runScenario(loadScenario(file), { prefix: PREFIX, basePort: BASE_PORT, definition: loadDefinition(), scenarioFile: file, resultsRoot: results, log });
    const m = read(dir);
    const moves = m.strategies ?? [];
    console.log(`strategies: ${JSON.stringify(moves.map((x) => [x.strategy, x.sizeMiB, x.state, x.downtimeMs, x.totalMs, x.bytes, x.rateMbit]))}; notes ${JSON.stringify(m.notes)}`);
    expect(m.testbed[0]!.services?.tls).toBe(true);
    expect(moves.map((x) => x.strategy), JSON.stringify(m.notes)).toEqual(["stopcopy", "postcopy", "docker"]);
    for (const x of moves) {
      expect(x.error, `${x.strategy}: ${x.error}`).toBeUndefined();
      expect(x.from.startsWith("edge")).toBe(true);
      expect(x.to).toBe("cloud1");
      expect(x.downtimeMs).toBeGreaterThan(0);
      expect(x.totalMs).toBeGreaterThanOrEqual(x.downtimeMs!);
      // The 16 MiB working set crossed the WAN (before or after the resume).
      expect(x.bytes).toBeGreaterThan(16 * 2 ** 20);
      expect(x.rateMbit).toBeGreaterThan(0);
    }
    const [stop, post, docker] = moves;
    for (const x of [stop!, post!]) {
      expect(x.via).toBe("scheduler");
      expect(x.ran).toBe(x.strategy);
      expect(x.states).toEqual(["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"]);
    }
    // Stop-and-copy sends everything while frozen; post-copy most pages after the resume.
    expect(stop!.bytesAfterResume).toBe(0);
    expect(post!.bytesAfterResume).toBeGreaterThan(post!.bytesBeforeResume!);
    expect(docker).toMatchObject({ via: "agents", ran: "docker-stopcopy", state: "succeeded", bytesAfterResume: 0 });
    expect(m.notes.some((n) => n.startsWith("docker: moved through the agents' migration API"))).toBe(true);
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    expect(html).toMatch(/<figure class="plot" id="plot-strategies"><figcaption>[^<]*<\/figcaption><svg/);
    expect(html).toContain("Strategies: the same workload edge→cloud over the WAN");
  }, 600_000);

  it("group: a 3-member service placed at the edge moves edge→cloud as one request; each member migrated with its downtime, one copy on the cloud", async () => {
    const file = "mininet/scenarios/group.yaml";
    const { dir } = await runScenario(loadScenario(file), { prefix: PREFIX, basePort: BASE_PORT, definition: loadDefinition(), scenarioFile: file, resultsRoot: results, log });
    const m = read(dir);
    const g = m.groups?.[0];
    console.log(`group: ${JSON.stringify(g)}`);
    expect(m.groups).toHaveLength(1);
    expect(g!.state, JSON.stringify(g)).toBe("completed");
    expect(g!.totalMs).toBeGreaterThan(0);
    expect(g!.members.map((x) => x.task)).toEqual(["shop-db", "shop-api", "shop-web"]);
    for (const x of g!.members) {
      expect(x.from.startsWith("edge"), `${x.task} placed on ${x.from}`).toBe(true);
      expect([x.phase, x.state, x.runsOn]).toEqual(["Migrated", "COMPLETED", "cloud1"]);
      expect(x.copies).toEqual(["cloud1"]);
      expect(x.downtimeMs).toBeGreaterThan(0);
    }
    // Start order: db alone in the first round.
    expect(g!.rounds[0]!.tasks).toEqual(["shop-db"]);
    expect(m.migrations.filter((x) => x.state === "COMPLETED")).toHaveLength(3);
    expect(readFileSync(path.join(dir, "report.html"), "utf8")).toContain("Group migration");
  }, 600_000);
});
