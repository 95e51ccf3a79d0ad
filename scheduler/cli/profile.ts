// `fleximigrate profile`: measures the image workload's latency under several CPU
// limits and writes the samples CSV that `fleximigrate fit` reads.
import { cpus, hostname } from "node:os";
import { resolve } from "node:path";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { formatTable, printJson, Progress } from "../../src/cli/output.js";
import { formatSamplesCsv } from "../latency/samples.js";
import { writeFileAtomic } from "../profiling/atomic-write.js";
import { cgroupRuntime, cgroupUnavailable } from "../profiling/cgroup.js";
import { dockerRuntime, dockerUnavailable } from "../profiling/docker.js";
import { IMAGE_SIZES, isInputClass } from "../profiling/images.js";
import { runProfile, summarize, WORKLOAD } from "../profiling/profiler.js";
import { CPU_PERIOD_US } from "../../src/cpu-period.js";
import { MIN_LIMIT, type ProfileRuntime } from "../profiling/runtime.js";

const DEFAULT_LIMITS = "0.2,0.4,0.6,0.8,1";
const DEFAULT_SIZES = Object.keys(IMAGE_SIZES).join(",");

export const command = defineCommand({
  name: "profile",
  description: `Runs the image workload (Gaussian blur + Sobel edges on generated grayscale
images) as an HTTP server in a child process, caps its CPU at each limit with a
cgroup v1 cpu quota (needs root), times real requests of each size over loopback
and writes the samples CSV that 'fleximigrate fit' reads. Progress goes to stderr.`,
  flags: {
    limits: flag.parsed("LIST", `CPU limits in cores; at least 3 distinct, each >= ${MIN_LIMIT}`, parseLimits, { default: DEFAULT_LIMITS }),
    sizes: flag.parsed("LIST", `input sizes among ${DEFAULT_SIZES}`, parseSizes, { default: DEFAULT_SIZES }),
    repeats: flag.number("N", "samples per size and limit", { integer: true, min: 1, default: 5 }),
    burst: flag.number("N", "back-to-back requests per sample; the sample is their\nmedian latency", { integer: true, min: 1, default: 3 }),
    warmup: flag.number("N", "untimed requests per size first", { integer: true, min: 0, default: 3 }),
    out: flag.string("FILE", "samples CSV to write, written atomically", { default: "samples.csv" }),
    runtime: flag.choice(["cgroup", "docker", "auto"], "how to limit CPU (auto: cgroup when root,\nelse docker when an engine runs)", { placeholder: "NAME", default: "auto" }),
    interference: flag.choice(["normalize", "keep"], "normalize: scale each sample to the run's median CPU\ntime for its size, so neighbours slowing the CPU do not\nbend the curve (raw latency kept in the file); keep: as\nmeasured", { placeholder: "MODE", default: "normalize" }),
    json: flag.boolean("print a JSON summary instead of a table"),
  },
  async run(parsed) {
    const v = parsed.values;
    const { limits, sizes, repeats, burst, warmup, interference } = v;
    const out = resolve(v.out);
    const runtime = await chooseRuntime(v.runtime);

    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let progress: Progress | undefined;
    let result: Awaited<ReturnType<typeof runProfile>>;
    try {
      result = await runProfile(
        {
          sizes,
          limits,
          repeats,
          burst,
          warmup,
          interference,
          aborted: () => interrupted,
          onProgress: (done, total, detail) => {
            progress ??= new Progress("profile", total);
            progress.update(done, detail);
          },
        },
        runtime,
      );
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      progress?.stop();
    }
    const comments = [
      `fleximigrate profile: workload=${WORKLOAD} runtime=${result.runtime} cfs_period_us=${CPU_PERIOD_US}`,
      `limits=${limits.join(",")} sizes=${sizes.map((s) => `${s}:${IMAGE_SIZES[s as keyof typeof IMAGE_SIZES]}px`).join(",")} repeats=${repeats} burst=${burst} (median) warmup=${warmup} interference=${interference}`,
      `host=${hostname()} cpus=${cpus().length} (${cpus()[0]?.model ?? "unknown"}) date=${new Date().toISOString()}`,
    ];
    writeFileAtomic(out, formatSamplesCsv(result.samples, comments, { rawLatencyMs: (s) => s.rawLatencyMs, cpuMs: (s) => s.cpuMs }));
    const summary = summarize(result.samples);
    if (v.json) {
      printJson({ out, runtime: result.runtime, samples: result.samples.length, summary });
    } else {
      process.stdout.write(
        formatTable(
          ["size", "cpuShare", "n", "median ms"],
          summary.map((s) => [s.inputClass, s.cpuShare, s.n, s.medianMs]),
        ),
      );
      process.stdout.write(`wrote ${result.samples.length} samples to ${out}\n`);
    }
    return 0;
  },
});

async function chooseRuntime(name: "cgroup" | "docker" | "auto"): Promise<ProfileRuntime> {
  const noCgroup = name === "docker" ? "not asked for" : cgroupUnavailable();
  if (!noCgroup) return cgroupRuntime;
  const noDocker = name === "cgroup" ? "not asked for" : await dockerUnavailable();
  if (!noDocker) return dockerRuntime();
  if (name === "cgroup") throw new CliError(`cannot limit CPU with cgroups: ${noCgroup}`);
  if (name === "docker") throw new CliError(`cannot limit CPU with Docker: ${noDocker}`);
  throw new CliError(`cannot limit CPU: ${noCgroup}, and ${noDocker}`);
}

function parseLimits(raw: string): number[] {
  const limits = raw.split(",").map((s) => s.trim());
  const max = cpus().length;
  const values = limits.map((s) => {
    const n = Number(s);
    if (s === "" || !Number.isFinite(n) || n < MIN_LIMIT || n > max) {
      throw new Error(`each limit must be a number of cores in [${MIN_LIMIT}, ${max}], got '${s}'`);
    }
    return n;
  });
  const distinct = [...new Set(values)].sort((x, y) => x - y);
  if (distinct.length < 3) throw new Error(`fitting needs at least 3 distinct limits, got ${distinct.length}`);
  return distinct;
}

function parseSizes(raw: string): string[] {
  const sizes = [...new Set(raw.split(",").map((s) => s.trim()))];
  for (const s of sizes) if (!isInputClass(s)) throw new Error(`unknown size '${s}' (choose from ${DEFAULT_SIZES})`);
  return sizes;
}
