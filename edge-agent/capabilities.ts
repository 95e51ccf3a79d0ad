// What this node can do, found once at start: CRIU and its features, Docker,
// cgroup CPU control, and which strategies work here (or why not).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { availability } from "./migration/registry.js";
import type { Capabilities } from "./migration/strategy.js";
import { CRIU } from "./runtime/criu.js";
import { probeTcpDump } from "./runtime/criu-tcp-probe.js";
import { cpuControlAvailable } from "./runtime/cgroup.js";

const run = promisify(execFile);
export const CRIU_FEATURES = ["mem_dirty_track", "uffd", "uffd-noncoop", "tcp_half_closed"];

async function tryRun(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await run(cmd, args, { timeout: 20_000 });
    return { ok: true, out: `${r.stdout}${r.stderr}` };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message };
  }
}

export async function detectCapabilities(): Promise<Capabilities> {
  const version = await tryRun(CRIU, ["--version"]);
  const criu: Capabilities["criu"] = { present: version.ok, checkOk: false, features: {} };
  if (version.ok) {
    criu.version = /Version:\s*(\S+)/.exec(version.out)?.[1];
    const check = await tryRun(CRIU, ["check"]);
    criu.checkOk = check.ok;
    if (!check.ok) criu.error = check.out.trim().split("\n").slice(-2).join(" ");
    for (const f of CRIU_FEATURES) criu.features[f] = (await tryRun(CRIU, ["check", "--feature", f])).ok;
    if (check.ok) criu.tcpEstablished = await probeTcpDump();
  } else criu.error = version.out.trim();
  const info = await tryRun("docker", ["version", "--format", "{{.Server.Version}}"]);
  const docker: Capabilities["docker"] = info.ok ? { present: true, version: info.out.trim() } : { present: false, error: info.out.trim().split("\n")[0] };
  const caps: Capabilities = { criu, docker, cgroupCpu: cpuControlAvailable(), strategies: {} };
  caps.strategies = availability(caps);
  return caps;
}
