// The pure parts of the Docker runtime (stats arithmetic, log demuxing, labels),
// and what restore does to a checkpoint directory, against a fake engine.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime, demuxLogs, dockerLabels, message, statsFromDoc } from "../../../../edge-agent/runtime/docker.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe("statsFromDoc", () => {
  it("turns cpu deltas into cores and subtracts the inactive page cache", () => {
    const doc = {
      cpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 12_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 },
      memory_stats: { usage: 50_000_000, stats: { total_inactive_file: 10_000_000 } },
    };
    // 0.5 s of CPU in 2 s of system time over 2 CPUs (1 s of wall time): half a core.
    expect(statsFromDoc(doc)).toEqual({ cpu: 0.5, memoryBytes: 40_000_000 });
  });

  it("reports 0 cores when there is no previous sample", () => {
    const doc = { cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2] }, system_cpu_usage: 100 }, precpu_stats: {}, memory_stats: { usage: 7 } };
    expect(statsFromDoc({ ...doc, precpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 100 } })).toEqual({ cpu: 0, memoryBytes: 7 });
    expect(statsFromDoc({})).toEqual({ cpu: 0, memoryBytes: 0 });
  });
});

describe("demuxLogs", () => {
  it("joins stdout and stderr frames in order", () => {
    expect(demuxLogs(Buffer.concat([frame(1, "out 1\n"), frame(2, "err\n"), frame(1, "out 2\n")]))).toBe("out 1\nerr\nout 2\n");
  });

  it("passes a TTY's unframed text through", () => {
    expect(demuxLogs(Buffer.from("plain text from a tty\n"))).toBe("plain text from a tty\n");
    expect(demuxLogs(Buffer.alloc(0))).toBe("");
  });
});

describe("dockerLabels and message", () => {
  it("prefixes labels", () => {
    expect(dockerLabels({ region: "eu" })).toEqual({ "fleximigrate.region": "eu" });
  });

  it("prefers the engine's own error text", () => {
    expect(message({ message: "(HTTP code 500) server error", json: { message: "custom checkpointdir is not supported" } })).toBe("custom checkpointdir is not supported");
    expect(message(new Error("plain"))).toBe("plain");
  });
});

// A fake Engine API on a unix socket: the boundary dockerode talks across.
describe("restoreFromCheckpoint", () => {
  let root = "";
  let server: http.Server | undefined;
  // What the engine would tar at each `start --checkpoint`: the checkpoint dir's files then.
  const seenAtStart: Array<Record<string, string>> = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "fmd-engine-"));
    const checkpoint = join(root, "containers", "c0ffee", "checkpoints", "cp1");
    mkdirSync(checkpoint, { recursive: true });
    writeFileSync(join(checkpoint, "inventory.img"), "criu image");
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://engine");
      res.setHeader("content-type", "application/json");
      if (req.method === "GET" && url.pathname.endsWith("/info")) return void res.end(JSON.stringify({ DockerRootDir: root }));
      if (req.method === "GET" && url.pathname.endsWith("/containers/counter/json")) return void res.end(JSON.stringify({ Id: "c0ffee" }));
      if (req.method === "POST" && url.pathname.endsWith("/containers/counter/start") && url.searchParams.get("checkpoint") === "cp1") {
        seenAtStart.push(Object.fromEntries(readdirSync(checkpoint).map((f) => [f, readFileSync(join(checkpoint, f), "utf8")])));
        res.statusCode = 204;
        return void res.end();
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ message: `no route ${req.method} ${url.pathname}` }));
    });
    await new Promise<void>((resolve) => server!.listen(join(root, "engine.sock"), resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  const record: WorkloadRecord = {
    id: "counter",
    runtime: "docker",
    spec: { image: "busybox", command: ["sh"], cpuLimit: 0.5, ports: [], labels: {} },
    state: "stopped",
    createdAt: new Date(0).toISOString(),
    containerId: "counter",
  };

  it("makes the checkpoint directory differ on every start, so the engine's re-tar never collides with containerd's blob", async () => {
    const runtime = new DockerRuntime(join(root, "engine.sock"));
    await runtime.restoreFromCheckpoint(record, "cp1");
    await runtime.restoreFromCheckpoint(record, "cp1");
    expect(seenAtStart).toHaveLength(2);
    const [first, second] = seenAtStart;
    // The CRIU images are untouched; one marker file is new, and new again on the next start.
    expect(first["inventory.img"]).toBe("criu image");
    expect(second["inventory.img"]).toBe("criu image");
    expect(Object.keys(first).sort()).toEqual(["fleximigrate-restore", "inventory.img"]);
    expect(first["fleximigrate-restore"]).not.toBe(second["fleximigrate-restore"]);
  });

  it("leaves a missing checkpoint for the engine to report", async () => {
    const runtime = new DockerRuntime(join(root, "engine.sock"));
    await expect(runtime.restoreFromCheckpoint(record, "nope")).rejects.toThrow(/no route POST/);
  });
});
