// Reconciliation with real processes: the scheduler (from the CLI, with a
// state directory) places a task on a real agent, which runs its workload.
// While the scheduler is down the workload goes away and another is started
// on the agent by hand; the restarted scheduler restores its task from the
// store and, from the agent's next reports, flags both: the task as missing,
// the stray workload as unknown.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AgentClient } from "../../../../src/clients/agent.js";
import { SchedulerClient } from "../../../../src/clients/scheduler.js";
import { CLI_PATH } from "../../../helpers/cli.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { waitFor } from "../../../helpers/wait.js";

const SCHEDULER_PORT = 25101;
const AGENT_PORT = 25102;
const NODE = "fmapi-r1";
/** Each task's workload gets its own namespace on this bridge (the agent's --bridge). */
const BRIDGE = "fmapi-rbr0";
const ovs = (...args: string[]) => execFileSync("ovs-vsctl", ["--timeout=10", ...args], { stdio: "pipe" });
const SCHEDULER = `http://127.0.0.1:${SCHEDULER_PORT}`;

describeWhen("the scheduler reconciles its restored state with a real agent's reports", missing([needs.root(), needs.ovs()]), () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fmapi-reconcile-"));
  const catalog = path.join(dir, "catalog.json");
  let scheduler: TrackedChild | undefined;
  let agent: TrackedChild | undefined;
  const agentClient = new AgentClient(`http://127.0.0.1:${AGENT_PORT}`);
  const client = new SchedulerClient(SCHEDULER);

  const startScheduler = async () => {
    scheduler = spawnChild(process.execPath, [CLI_PATH, "scheduler", "--port", String(SCHEDULER_PORT), "--state-dir", path.join(dir, "state"), "--workloads", catalog, "--service-cidr", "10.251.0.0/24", "--insecure"]);
    await scheduler.line((l) => l.includes("listening"), 30_000);
  };

  beforeAll(async () => {
    // A workload that needs no network: without a controller nothing probes it.
    writeFileSync(catalog, JSON.stringify({ "*": { command: ["sleep", "600"], port: 25103, probePath: "/" } }));
    ovs("--if-exists", "del-br", BRIDGE);
    ovs("add-br", BRIDGE, "--", "set", "Bridge", BRIDGE, "datapath_type=netdev", "fail_mode=standalone");
    await startScheduler();
    agent = spawnChild(process.execPath, [
      CLI_PATH, "agent", "--node", NODE, "--tier", "edge", "--listen", `127.0.0.1:${AGENT_PORT}`, "--scheduler", SCHEDULER,
      "--report-ms", "200", "--cpus", "2", "--bridge", BRIDGE, "--work-dir", path.join(dir, "agent"), "--insecure",
      "--allow-command", "sleep",
    ]);
    await waitFor(async () => (await client.nodes()).some((n) => n.name === NODE && n.reportedAt), { timeoutMs: 30_000, what: "the agent's first report" });
  }, 60_000);

  afterAll(async () => {
    for (const id of ["t-1", "fmapi-stray"]) await agentClient.deleteWorkload(id).catch(() => {});
    await scheduler?.stop();
    await agent?.stop();
    ovs("--if-exists", "del-br", BRIDGE);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("flags the task whose workload is gone (missing) and the workload no task owns (unknown)", async () => {
    const outcome = await client.submitTask({ id: "t-1", device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 2000 }, { timeoutMs: 30_000 });
    expect(outcome.outcome === "placed" ? outcome.placed.node : outcome.refused.reason).toBe(NODE);
    const ids = async () => (await agentClient.workloads()).workloads.map((w) => w.id).sort();
    expect(await ids()).toEqual(["t-1"]);
    // Several reports agree with the store: nothing flagged.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await client.reconciliation()).toEqual({ missing: [], unknown: [] });

    await scheduler!.stop();
    await agentClient.deleteWorkload("t-1");
    await agentClient.createWorkload({ id: "fmapi-stray", command: ["sleep", "600"], cpuLimit: 0.1 });
    expect(await ids()).toEqual(["fmapi-stray"]);
    await startScheduler();

    const flagged = await waitFor(
      async () => {
        const r = await client.reconciliation();
        return r.missing.length > 0 && r.unknown.length > 0 ? r : undefined;
      },
      { timeoutMs: 20_000, what: "both discrepancies flagged" },
    );
    expect(flagged.missing).toEqual([expect.objectContaining({ kind: "missing", node: NODE, task: "t-1", workload: "t-1" })]);
    expect(flagged.unknown).toEqual([expect.objectContaining({ kind: "unknown", node: NODE, workload: "fmapi-stray" })]);
    expect(await client.task("t-1")).toMatchObject({ node: NODE, missing: true });

    // The stray workload removed: its flag is resolved by the next reports.
    await agentClient.deleteWorkload("fmapi-stray");
    await waitFor(async () => ((await client.reconciliation()).unknown.length === 0 ? true : undefined), { timeoutMs: 20_000, what: "the unknown flag resolved" });
  }, 120_000);
});
