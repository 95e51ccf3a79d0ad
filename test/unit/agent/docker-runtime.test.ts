// The pure parts of the Docker runtime: stats arithmetic, log demuxing, labels.
import { describe, expect, it } from "vitest";
import { demuxLogs, dockerLabels, message, statsFromDoc } from "../../../edge-agent/runtime/docker.js";

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
