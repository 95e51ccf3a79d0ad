// `fleximigrate profile`: measures the image workload's latency under several CPU
// limits and writes the samples CSV that `fleximigrate fit` reads.
import { cpus, hostname } from "node:os";
import { resolve } from "node:path";
import { parseCommandArgs, numberFlag } from "../../src/cli/args.js";
import { CliError, type Command } from "../../src/cli/command.js";
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

const usage = `Usage: fleximigrate profile [options]

Runs the image workload (Gaussian blur + Sobel edges on generated grayscale
images) as an HTTP server in a child process, caps its CPU at each limit with a
cgroup v1 cpu quota (needs root), times real requests of each size over loopback
and writes the samples CSV that 'fleximigrate fit' reads. Progress goes to stderr.

Options:
  --limits LIST    CPU limits in cores (default ${DEFAULT_LIMITS}); at least 3 distinct, each >= ${MIN_LIMIT}
  --sizes LIST     input sizes among ${DEFAULT_SIZES} (default all)
  --repeats N      samples per size and limit (default 5)
  --burst N        back-to-back requests per sample; the sample is their
                   median latency (default 3)
  --warmup N       untimed requests per size first (default 3)
  --out FILE       samples CSV to write (default samples.csv), written atomically
  --runtime NAME   how to limit CPU: cgroup, docker or auto (default auto:
                   cgroup when root, else docker when an engine runs)
  --json           print a JSON summary instead of a table
  -h, --help       show this help
`;

export const command: Command = {
  name: "profile",
  summary: "Profile the image workload under CPU limits and write samples",
  usage,
  async run(args) {
    const parsed = parseCommandArgs(
      args,
      {
        limits: { type: "string" },
        sizes: { type: "string" },
        repeats: { type: "string" },
        burst: { type: "string" },
        warmup: { type: "string" },
        out: { type: "string" },
        runtime: { type: "string" },
        json: { type: "boolean" },
      },
      usage,
      { positionals: { max: 0 } },
    );
    if (!parsed) return 0;
    const v = parsed.values;
    const limits = parseLimits(v.limits ?? DEFAULT_LIMITS);
    const sizes = parseSizes(v.sizes ?? DEFAULT_SIZES);
    const repeats = numberFlag("repeats", v.repeats, 5, { min: 1, integer: true });
    const burst = numberFlag("burst", v.burst, 3, { min: 1, integer: true });
    const warmup = numberFlag("warmup", v.warmup, 3, { min: 0, integer: true });
    const out = resolve(v.out ?? "samples.csv");
    const runtime = await chooseRuntime(v.runtime ?? "auto");

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
    }
    const comments = [
      `fleximigrate profile: workload=${WORKLOAD} runtime=${result.runtime} cfs_period_us=${CPU_PERIOD_US}`,
      `limits=${limits.join(",")} sizes=${sizes.map((s) => `${s}:${IMAGE_SIZES[s as keyof typeof IMAGE_SIZES]}px`).join(",")} repeats=${repeats} burst=${burst} (median) warmup=${warmup}`,
      `host=${hostname()} cpus=${cpus().length} (${cpus()[0]?.model ?? "unknown"}) date=${new Date().toISOString()}`,
    ];
    writeFileAtomic(out, formatSamplesCsv(result.samples, comments));
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
};

async function chooseRuntime(name: string): Promise<ProfileRuntime> {
  if (name !== "auto" && name !== "cgroup" && name !== "docker") {
    throw new CliError(`--runtime: expected cgroup, docker or auto, got '${name}'`);
  }
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
      throw new CliError(`--limits: each limit must be a number of cores in [${MIN_LIMIT}, ${max}], got '${s}'`);
    }
    return n;
  });
  const distinct = [...new Set(values)].sort((x, y) => x - y);
  if (distinct.length < 3) throw new CliError(`--limits: fitting needs at least 3 distinct limits, got ${distinct.length}`);
  return distinct;
}

function parseSizes(raw: string): string[] {
  const sizes = [...new Set(raw.split(",").map((s) => s.trim()))];
  for (const s of sizes) if (!isInputClass(s)) throw new CliError(`--sizes: unknown size '${s}' (choose from ${DEFAULT_SIZES})`);
  return sizes;
}
