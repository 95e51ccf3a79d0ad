// `fleximigrate devices` as a user runs it (the real CLI in a child process)
// against an in-process fake scheduler and a local HTTP workload.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../../helpers/cli.js";
import { type FakeScheduler, startFakeScheduler } from "../../../helpers/fake-scheduler.js";
import { type FakeWorkload, startFakeWorkload } from "../../../helpers/fake-workload.js";
import { closedPort } from "../../../helpers/ports.js";

let scheduler: FakeScheduler | undefined;
let workload: FakeWorkload | undefined;
afterEach(async () => {
  await scheduler?.close();
  await workload?.close();
  scheduler = workload = undefined;
});

async function placing(): Promise<FakeScheduler> {
  workload = await startFakeWorkload();
  scheduler = await startFakeScheduler({ kind: "placed", serviceIp: "127.0.0.1", port: workload.port });
  return scheduler;
}

describe("fleximigrate devices", () => {
  it("prints one JSON line per device and one overall, progress as JSON on stderr, and releases the tasks", async () => {
    const s = await placing();
    const r = await runCli(["devices", "--scheduler", s.url, "--count", "2", "--rate", "10", "--duration", "1", "--budget", "250", "--json"]);
    const stderr = r.stderr.split("\n").filter((l) => l && !l.startsWith('{"progress"'));
    expect(r.code).toBe(0);
    // The measured latencies went to the scheduler, each with the workload's own processing time.
    const answered = (task: string) => s.samples.get(task) ?? [];
    expect(stderr.map((l) => JSON.parse(l))).toEqual([{ samples: { reported: answered("t1").length + answered("t2").length, failedBatches: 0, lost: 0 } }]);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2).map((l) => [l.device, l.status, l.budgetMs, l.connections, l.released])).toEqual([
      ["iot-1", "ran", 250, 1, true],
      ["iot-2", "ran", 250, 1, true],
    ]);
    expect(lines[0].answered).toBe(lines[0].requests);
    expect(lines[2]).toMatchObject({ overall: true, devices: 2, ran: 2, requests: lines[0].requests + lines[1].requests });
    expect(s.released).toHaveLength(2);
    expect(s.submitted[0]).toEqual({ device: "iot-1", workload: "detect", inputClass: "small", delayBudgetMs: 250 });
    expect(answered("t1")).toHaveLength(lines[0].answered);
    expect(answered("t1")[0]).toMatchObject({ processingMs: 1.5 });
  });

  it("prints a table and takes the budget from the model when not given (3x its latency at one core)", async () => {
    const s = await placing();
    const r = await runCli(["devices", "--scheduler", s.url, "--duration", "0.5", "--rate", "10"]);
    expect(r.code).toBe(0);
    const [header, device, all] = r.stdout.trim().split("\n");
    expect(header!.split(/\s+/)).toEqual(["device", "task", "node", "status", "requests", "answered", "reset", "timeout", "http", "connect", "p50", "p95", "p99", "budget", "missed%", "gap"]);
    expect(device!.split(/\s+/).slice(0, 4)).toEqual(["iot-1", "t1", "edge1", "ran"]);
    expect(all!.startsWith("all")).toBe(true);
    // detect/small: 100 * exp(-1) = 36.8 ms at one core; 3x rounded up to 10 ms
    expect(s.submitted[0]!.delayBudgetMs).toBe(120);
    expect(r.stderr).toMatch(/^devices: \d+ s, \d+ sent/m);
    expect(r.stderr).toMatch(/^devices: reported \d+ latency samples to the scheduler \(0 failed reports, 0 samples lost\)$/m);
  });

  it("runs the devices of a trace", async () => {
    const s = await placing();
    const dir = await mkdtemp(join(tmpdir(), "fml-devices-"));
    try {
      const file = join(dir, "trace.jsonl");
      await writeFile(file, `${JSON.stringify({ id: "r1", device: "cam-1", workload: "detect", inputClass: "large", delayBudgetMs: 900, at: 0 })}\n`);
      const r = await runCli(["devices", "--scheduler", s.url, "--trace", file, "--duration", "0.5", "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.split("\n")[0]!)).toMatchObject({ device: "cam-1", task: "r1", status: "ran", budgetMs: 900 });
      expect(workload!.paths[0]).toBe("/process?size=large");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says why a task was refused, exit 1", async () => {
    scheduler = await startFakeScheduler({ kind: "refused", reason: "no node can meet the delay budget" });
    const r = await runCli(["devices", "--scheduler", scheduler.url, "--duration", "1", "--budget", "5"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("fleximigrate devices: iot-1: task refused: no node can meet the delay budget");
  });

  it("says that the scheduler has no agents when a task has no service IP, exit 1", async () => {
    scheduler = await startFakeScheduler({ kind: "placed", serviceIp: null, port: null });
    const r = await runCli(["devices", "--scheduler", scheduler.url, "--duration", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/iot-1: task t1 was placed on edge1 but has no service IP: the scheduler has no agents/);
    expect(scheduler.released).toEqual(["t1"]);
  });

  it("rejects a bad URL (exit 2), an unreachable scheduler (exit 1) and an unknown workload (exit 2)", async () => {
    const bad = await runCli(["devices", "--scheduler", "not a url"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--scheduler: 'not a url' is not a URL");
    const port = await closedPort();
    const down = await runCli(["devices", "--scheduler", `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach http://127.0.0.1:${port} (ECONNREFUSED); is the service running? (scheduler)`);
    scheduler = await startFakeScheduler({ kind: "refused", reason: "x" });
    const unknown = await runCli(["devices", "--scheduler", scheduler.url, "--workload", "ocr"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("the scheduler has no latency model for ocr/small (it has: detect/large, detect/small)");
    const mixed = await runCli(["devices", "--scheduler", scheduler.url, "--trace", "x.jsonl", "--count", "2"]);
    expect(mixed.code).toBe(2);
  });
});
