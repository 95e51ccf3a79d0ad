// The one wrapper around the `criu` CLI. Every run writes its own log file
// (-o LOG) into its images directory (-D DIR), so a failure is reported with
// CRIU's own words: a CriuError carrying the log's error lines.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { watch } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { killRestoreTree } from "./proc-children.js";

export const CRIU = process.env.FLEXIMIGRATE_CRIU ?? "criu";

/** Flags every dump/restore of a workload tree uses, and why. */
export const TREE_FLAGS = [
  // The agent places the restored tree into its own cgroup itself (paths differ per node).
  "--manage-cgroups=ignore",
];

export interface CriuOptions {
  /** Images directory (-D; created if missing), also CRIU's working directory; the log goes there. */
  dir: string;
  /**
   * Images directory (-D) when it is not `dir`; `dir` is then CRIU's work
   * directory (-W: its log, the lazy-pages socket).
   */
  images?: string;
  /** Log file name inside `dir` (-o). */
  log: string;
  /**
   * -v4, CRIU's most detailed log: the agent's own dumps and restores keep it
   * for post-mortems; post-copy leaves it off (its runs are long and page-heavy).
   */
  verbose?: boolean;
  /** Kills CRIU (SIGTERM) after this long; no limit unless given. */
  timeoutMs?: number;
  /**
   * Runs CRIU inside this network namespace (ip netns name), through
   * `nsenter --net=`: a workload with its own network is dumped and restored
   * from inside it, so only its sockets move (with TCP repair), not the namespace.
   */
  netns?: string;
  /** Ends the run (and, for a restore, the tree it was making) when aborted: a migration abandoned midway. */
  signal?: AbortSignal;
}

/** A CRIU run that failed: which subcommand, how it ended, and the error lines of its log. */
export class CriuError extends Error {
  constructor(
    readonly subcommand: string,
    /** "exit N", "signal SIG" or "not started: …". */
    readonly ending: string,
    readonly logFile: string,
    readonly excerpt: string,
  ) {
    super(`criu ${subcommand} failed (criu ${ending}): ${excerpt}`);
    this.name = "CriuError";
  }
}

function argv(args: string[], opts: CriuOptions): string[] {
  const where = opts.images ? ["-D", path.resolve(opts.images), "-W", path.resolve(opts.dir)] : ["-D", path.resolve(opts.dir)];
  return [...args, ...where, "-o", opts.log, ...(opts.verbose ? ["-v4"] : [])];
}

/** The program and argv that run CRIU with `args`, inside opts.netns when given. */
export function criuCommand(args: string[], opts: CriuOptions): [string, string[]] {
  return opts.netns ? ["nsenter", [`--net=/run/netns/${opts.netns}`, CRIU, ...argv(args, opts)]] : [CRIU, argv(args, opts)];
}

/**
 * CRIU's parasite, inside a dumped task whose /proc is not the host's (a
 * workload in its own pid namespace), makes a directory for its own /proc in
 * the task's working directory and removes it after. Two dumps of tasks that
 * share one (every workload started by this agent does) race on it and one
 * fails with "Can't create a directory (-17)": so one `criu dump` at a time
 * per agent. Transfers and restores still overlap.
 */
let dumping: Promise<unknown> = Promise.resolve();

/** Runs `run` after every dump queued before it (whatever their outcome). */
export function oneDumpAtATime<T>(run: () => Promise<T>): Promise<T> {
  const next = dumping.then(run, run);
  dumping = next.catch(() => undefined);
  return next;
}

/** Runs `criu ARGS` to completion; throws a CriuError when it fails. */
export async function criu(args: string[], opts: CriuOptions): Promise<void> {
  if (args[0] === "dump") return oneDumpAtATime(() => runCriu(args, opts));
  return runCriu(args, opts);
}

async function runCriu(args: string[], opts: CriuOptions): Promise<void> {
  await mkdir(opts.dir, { recursive: true });
  const [cmd, full] = criuCommand(args, opts);
  const child = spawn(cmd, full, { cwd: opts.dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-16_384);
  });
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs);
  const onAbort = () => {
    if (child.pid !== undefined) void killRestoreTree(child.pid);
  };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const ending = await new Promise<string | null>((resolve) => {
    child.once("error", (err) => resolve(`not started: ${err.message}`));
    child.once("close", (code, signal) => resolve(code === 0 ? null : code !== null ? `exit ${code}` : `signal ${signal}`));
  });
  clearTimeout(timer);
  opts.signal?.removeEventListener("abort", onAbort);
  if (ending !== null) throw await criuError(args, opts, opts.signal?.aborted ? `${ending}, ended: the migration was abandoned` : ending, stderr);
}

/**
 * Starts a long-running criu (lazy-pages daemon, lazy dump) with stdio
 * detached from ours; the caller owns the child and, when it fails, turns its
 * ending into an error with `criuError`.
 */
export function spawnCriu(args: string[], opts: CriuOptions & { extraFds?: number }): ChildProcess {
  const [cmd, full] = criuCommand(args, opts);
  // extraFds: socket pairs on fds 3, 4, … (child.stdio[3…]), for --ps-socket and --status-fd.
  const extra = Array.from({ length: opts.extraFds ?? 0 }, () => "pipe" as const);
  return spawn(cmd, full, { cwd: opts.dir, stdio: ["ignore", "ignore", "ignore", ...extra] });
}

/**
 * Resolves when a criu started with `--status-fd` on `fd` says it is ready
 * (it writes one byte there: images done, socket open), or rejects when it
 * exits first. An event, not a poll.
 */
export function criuReady(child: ChildProcess, fd: number, what: string): Promise<void> {
  const status = child.stdio[fd] as NodeJS.ReadableStream | null | undefined;
  if (!status) return Promise.reject(new Error(`${what}: no status fd ${fd}`));
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      status.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => done();
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => done(new Error(`${what} exited before it was ready (${code !== null ? `exit ${code}` : `signal ${signal}`})`));
    status.on("data", onData);
    child.once("exit", onExit);
  });
}

/** The CriuError for a run of `args` that ended as `ending`, with its log's error lines. */
export async function criuError(args: string[], opts: CriuOptions, ending: string, stderr = ""): Promise<CriuError> {
  const logFile = path.join(opts.dir, opts.log);
  const log = await readFile(logFile, "utf8").catch(() => "");
  return new CriuError(args[0] ?? "", ending, logFile, errorTail(log || stderr) || "(no log)");
}

/** The error lines of CRIU log `log` in `dir` (or its last lines); "(no log)" when it has none. */
export async function logExcerpt(dir: string, log: string): Promise<string> {
  return errorTail(await readFile(path.join(dir, log), "utf8").catch(() => "")) || "(no log)";
}

/** The last error or failure lines of a CRIU log (or its last lines), for messages. */
export function errorTail(log: string, count = 6): string {
  const lines = log.split("\n").filter((l) => l.trim());
  // CRIU always logs a harmless "error" line about raising RLIMIT_NOFILE.
  const errors = lines.filter((l) => /error|fail/i.test(l) && !/RLIMIT_NOFILE/.test(l));
  return (errors.length ? errors : lines).slice(-count).join("\n");
}

let version: Promise<string> | undefined;

/** The installed CRIU's version, e.g. "4.1.1"; asked once per process (a migration asks it while the clock runs). */
export function criuVersion(): Promise<string> {
  version ??= askVersion();
  version.catch(() => (version = undefined));
  return version;
}

async function askVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(CRIU, ["--version"], { timeout: 10_000 });
  const m = /Version:\s*(\S+)/.exec(stdout);
  if (!m) throw new Error(`unexpected 'criu --version' output: ${stdout.trim()}`);
  return m[1]!;
}

/**
 * Flags for a tree with its own network namespace, where CRIU runs inside it.
 * The network lock, chosen per side: a dump keeps CRIU's iptables lock (each
 * established connection's packets dropped in the source namespace, so it
 * never answers a client with a reset while frozen, and the lock stays until
 * the source copy is gone). A restore into a fresh namespace skips it: that
 * namespace holds no lock rules to lift (CRIU's attempt fails there with
 * "Iptables configuration failed"), and it is fenced instead, its bridge port
 * down until the tree runs. A restore back into the source namespace (a
 * rollback from images) keeps the iptables lock, so CRIU lifts the dump's rules.
 *
 * "restore-source-reset": a source rolling back after the destination ran on
 * and talked with the clients; their connections moved past the checkpoint,
 * so they are restored closed (CRIU's --tcp-close): a client's next segment
 * gets a reset and it reconnects, instead of both ends acknowledging
 * sequence numbers the other never sent, forever.
 */
export type TcpSide = "dump" | "restore-fresh" | "restore-source" | "restore-source-reset";

export function tcpFlags(side: TcpSide): string[] {
  if (side === "restore-fresh") return ["--tcp-established", "--network-lock", "skip"];
  if (side === "restore-source-reset") return ["--tcp-close", "--network-lock", "iptables"];
  return ["--tcp-established", "--network-lock", "iptables"];
}

/** `criu dump` of the tree rooted at `pid`, left stopped so it can be resumed on failure. */
export function dumpArgs(pid: number, opts: { network?: boolean } = {}): string[] {
  return ["dump", "-t", String(pid), "--leave-stopped", "--skip-in-flight", ...TREE_FLAGS, ...(opts.network ? tcpFlags("dump") : [])];
}

/** `criu restore` detached, writing the host PID of the root to `pidfile`. */
export function restoreArgs(pidfile: string, opts: { network?: Exclude<TcpSide, "dump"> } = {}): string[] {
  return ["restore", "-d", "--pidfile", pidfile, ...TREE_FLAGS, ...(opts.network ? tcpFlags(opts.network) : [])];
}

export interface PreDumpStamp {
  args: string[];
  frozenAt(): Promise<number | undefined>;
  /**
   * Calls `listener` with the freeze moment once the script has fenced the
   * workload (no fence: once it noted the moment), while CRIU still dumps.
   * Answers the unwatch; call it when the dump is over.
   */
  onFenced(listener: (frozenAt: number) => void): () => void;
}

/**
 * A pre-dump action script for `criu dump` (--action-script): CRIU runs it
 * after its own start and kernel probes (tens of ms), right before it seizes
 * the tasks. It notes that moment (frozenAt: the workload's freeze) and, with
 * `fence`, sets the workload's bridge port down in the agent's namespace, so
 * the workload serves until it freezes. Then it leaves a `.fenced` mark that
 * the agent watches for (inotify): from that moment no frame reaches the
 * workload, so its service may be redirected while CRIU still dumps. A
 * failing script fails the dump.
 */
export async function preDumpScript(file: string, fence?: { port: string; agentNetns: string }): Promise<PreDumpStamp> {
  if (fence && !/^[A-Za-z0-9._-]+$/.test(fence.port)) throw new Error(`bad port name ${fence.port}`);
  if (fence && !/^[A-Za-z0-9/._-]+$/.test(fence.agentNetns)) throw new Error(`bad namespace path ${fence.agentNetns}`);
  const fenceLine = fence ? `nsenter --net=${fence.agentNetns} ip link set ${fence.port} down || exit 1\n` : "";
  await rm(`${file}.frozen`, { force: true });
  await rm(`${file}.fenced`, { force: true });
  await writeFile(file, `#!/bin/sh\n[ "$CRTOOLS_SCRIPT_ACTION" = pre-dump ] || exit 0\ndate +%s%N > "$0.frozen"\n${fenceLine}: > "$0.fenced"\n`, { mode: 0o700 });
  const frozenAt = async () => {
    const ns = (await readFile(`${file}.frozen`, "utf8").catch(() => "")).trim();
    return /^\d+$/.test(ns) ? Math.round(Number(ns) / 1e6) : undefined;
  };
  return {
    args: ["--action-script", path.resolve(file)],
    frozenAt,
    onFenced(listener) {
      const mark = `${path.basename(file)}.fenced`;
      let fired = false;
      const watcher = watch(path.dirname(file), (_event, name) => {
        if (fired || name !== mark) return;
        fired = true;
        void frozenAt().then((at) => listener(at ?? Date.now()));
      });
      watcher.on("error", () => {});
      return () => watcher.close();
    },
  };
}
