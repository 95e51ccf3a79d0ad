// Direct runtime: a process tree in its own PID namespace (the root is the
// namespace's init and a session leader, which `criu dump` requires), in a
// cgroup v1 group with a CPU quota. Without `network` it shares the agent's
// network namespace (the test host's), and its ports are relayed from the
// host's (ports.ts). With `network` it runs in a namespace of its own on the
// agent's bridge (netns.ts), and CRIU moves its TCP connections.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { TcpSide } from "./criu.js";
import { createGroup, groupPath, groupPids, movePids, procsFiles, readCounters, removeGroup } from "./cgroup.js";
import type { WorkloadNetworkView } from "../../src/api-types/agent.js";
import { criu, dumpArgs, restoreArgs } from "./criu.js";
import { announce, dropWorkloadNetwork, makeWorkloadNetwork, netnsPath, setPortUp } from "./netns.js";
import { networkNames } from "./netns-names.js";
import { PortPublisher, socketPrefix } from "./ports.js";
import { StartFailedError } from "./start-failed.js";
import { processIdentity } from "./proc-identity.js";
import { adoptionDecision } from "./reattach.js";
import type { Reattached, RestoredTree, Runtime, WorkloadExit, WorkloadRecord, WorkloadSpec, WorkloadStats } from "./types.js";

/** Why a tree's exit status is unknown: its parent was another process (CRIU's restore, or an earlier agent process). */
export const NOT_OUR_CHILD = "exit status unknown: the tree is not a child of this agent process (restored by CRIU or started before an agent restart)";

export class DirectRuntime implements Runtime {
  readonly kind = "direct" as const;
  private readonly samples = new Map<string, { cpuNs: number; at: number }>();
  private readonly ports = new PortPublisher();
  /** How the trees this runtime started ended, from their launcher's exit (unshare passes the root's status on). */
  private readonly ends = new Map<string, WorkloadExit>();
  /** The workloads whose tree this runtime started (and so hears end); restored trees are watched by PID. */
  private readonly launched = new Set<string>();

  constructor(
    private readonly node: string,
    /** The OVS bridge workloads with their own network attach to; none: such workloads are refused. */
    readonly bridge?: string,
  ) {}

  /** Makes workload `id`'s namespace on this agent's bridge; `fenced`: its port stays down until openNetwork. */
  async makeNetwork(id: string, spec: WorkloadSpec, opts: { fenced?: boolean } = {}): Promise<WorkloadNetworkView> {
    if (!spec.network) throw new Error(`workload ${id} asks for no network`);
    if (!this.bridge) throw new Error("this agent has no bridge (--bridge) for workload networks");
    return makeWorkloadNetwork({ node: this.node, workloadId: id, bridge: this.bridge, net: spec.network, fenced: opts.fenced });
  }

  /** The workload's port carries frames again, and the network learns its MAC is here. */
  async openNetwork(net: WorkloadNetworkView): Promise<void> {
    await setPortUp(net.port, true);
    await announce(net);
  }

  /** No frame reaches or leaves the workload's namespace (a frozen source while another copy takes over). */
  async fenceNetwork(net: WorkloadNetworkView): Promise<void> {
    await setPortUp(net.port, false);
  }

  dropNetwork(net: WorkloadNetworkView): Promise<void> {
    return dropWorkloadNetwork(net);
  }

  /** A fresh group for workload `id` (a new incarnation): what `create` makes, named before it starts so a crash can undo it. */
  newGroup(id: string): string {
    return groupPath(this.node, id);
  }

  /** `cgroup`: the group to make (newGroup); a fresh one unless given. */
  async create(id: string, spec: WorkloadSpec, opts: { cgroup?: string } = {}): Promise<WorkloadRecord> {
    if (!spec.command?.length) throw new Error("direct runtime needs a command");
    const cgroup = opts.cgroup ?? groupPath(this.node, id);
    await createGroup(cgroup, spec.cpuLimit);
    let pid: number | undefined;
    let network: WorkloadNetworkView | undefined;
    try {
      if (spec.network) network = await this.makeNetwork(id, spec);
      // nsenter --net, not `ip netns exec`: the latter makes a mount namespace CRIU refuses to dump.
      const enter = network ? `nsenter --net=${netnsPath(network.namespace)} ` : "";
      // The shell joins the group before exec, so every process of the tree starts inside it.
      const script = `for f in ${procsFiles(cgroup).join(" ")}; do echo $$ > "$f"; done; exec ${enter}unshare -p -f setsid "$@"`;
      const child = spawn("/bin/sh", ["-c", script, "sh", ...spec.command], {
        detached: true,
        stdio: "ignore",
        env: { ...process.env, ...spec.env, FLEXIMIGRATE_SOCKET_PREFIX: socketPrefix(id) },
      });
      child.unref();
      pid = child.pid;
      if (!pid) throw new Error(`cannot start ${spec.command[0]}`);
      this.ends.delete(id);
      this.launched.add(id);
      child.once("exit", (code, sig) => {
        if (this.launched.has(id)) this.ends.set(id, { ...(code !== null && { code }), ...(sig && { signal: sig }), at: new Date().toISOString() });
      });
      pid = await waitForChild(pid, 5000);
      if (!network) await this.ports.publish(id, spec.ports);
    } catch (err) {
      // Nothing of a failed create stays on the host: its tree, its ports, its cgroup, its network.
      await this.remove({ id, runtime: "direct", spec, state: "failed", createdAt: "", pid, cgroup, network });
      throw new StartFailedError(`workload ${id} did not start (undone: its processes, ports, cgroup and network are gone): ${(err as Error).message}`, err);
    }
    const namespaces = network ? ["pid", "net"] : ["pid"];
    return { id, runtime: "direct", spec, state: "running", createdAt: new Date().toISOString(), pid, cgroup, namespaces, ...(network && { network }) };
  }

  /** `criu dump` of the workload's tree into `dir`, leaving it stopped (not killed) so `resume` can continue it. */
  async dump(record: WorkloadRecord, dir: string): Promise<void> {
    if (!record.pid) throw new Error(`workload ${record.id} has no process tree to dump`);
    const netns = record.network?.namespace;
    await criu(dumpArgs(record.pid, { network: !!netns }), { dir, log: "dump.log", verbose: true, netns });
  }

  /**
   * `criu restore` of the images in `dir`, detached; resolves the host PID of
   * the restored root. `into`: the namespace a network workload restores in,
   * fresh (a destination) or its own (a source rolling back from its images).
   */
  async restore(dir: string, into?: { netns: string; side: Exclude<TcpSide, "dump"> }, signal?: AbortSignal): Promise<number> {
    const pidfile = path.join(dir, "restored.pid");
    await rm(pidfile, { force: true });
    await criu(restoreArgs(pidfile, { network: into?.side }), { dir, log: "restore.log", verbose: true, netns: into?.netns, signal });
    const pid = Number((await readFile(pidfile, "utf8")).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error("criu restore wrote no pid");
    return pid;
  }

  /** Places a tree restored by CRIU into this node's group for the workload. */
  async adopt(record: WorkloadRecord, { pid }: RestoredTree): Promise<WorkloadRecord> {
    // A restored tree is no child of ours: exited() watches its PID instead.
    this.launched.delete(record.id);
    this.ends.delete(record.id);
    const cgroup = groupPath(this.node, record.id);
    await createGroup(cgroup, record.spec.cpuLimit);
    await movePids(cgroup, await treePids(pid));
    // A rollback restored the source's tree anew: the group of the tree it replaced (stopped, empty) goes.
    if (record.cgroup && record.cgroup !== cgroup) await this.dropGroup(record.cgroup);
    if (!record.network) await this.ports.publish(record.id, record.spec.ports);
    return { ...record, pid, cgroup, state: "running", namespaces: record.network ? ["pid", "net"] : ["pid"] };
  }

  /**
   * Takes back a tree an earlier agent process started, if its PID still runs
   * with the recorded start time in the recorded group (reattach.ts): a
   * running one's ports are relayed again. Not our child: exited() watches
   * its PID, and its exit status cannot be known.
   */
  async reattach(record: WorkloadRecord, startTime: number | undefined): Promise<Reattached> {
    const decision = adoptionDecision(record, startTime, record.pid ? processIdentity(record.pid) : undefined);
    if (!decision.adopt) return { runs: false, exit: { at: new Date().toISOString(), reason: decision.reason } };
    this.launched.delete(record.id);
    this.ends.delete(record.id);
    if (!record.network && record.state === "running") await this.ports.publish(record.id, record.spec.ports);
    return { runs: true };
  }

  /**
   * Undoes a create that an agent restart interrupted (recorded as pending,
   * never answered): every process in its group, the group, its network.
   */
  async undoStart(id: string, spec: WorkloadSpec, cgroup: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const pids = await groupPids(cgroup);
      if (pids.length === 0) break;
      for (const p of pids) signal(p, "SIGKILL");
      await sleep(20);
    }
    const names = networkNames(this.node, id);
    const network = spec.network && this.bridge ? { ...spec.network, namespace: names.namespace, bridge: this.bridge, port: names.port, ofport: null, dpid: null } : undefined;
    await this.remove({ id, runtime: "direct", spec, state: "failed", createdAt: "", cgroup, network });
  }

  /** Continues a tree that `criu dump --leave-stopped` left stopped. */
  async resume(record: WorkloadRecord): Promise<void> {
    if (!record.pid) return;
    for (const p of await treePids(record.pid)) signal(p, "SIGCONT");
  }

  async exited(record: WorkloadRecord): Promise<WorkloadExit | undefined> {
    if (this.launched.has(record.id)) return this.ends.get(record.id);
    // A restored (or re-adopted) tree is no child of ours: whether it is gone is all we can tell.
    return record.pid && !alive(record.pid) ? { at: new Date().toISOString(), reason: NOT_OUR_CHILD } : undefined;
  }

  async stop(record: WorkloadRecord): Promise<void> {
    if (!record.pid) return;
    // SIGKILL to a PID namespace's init ends the whole namespace, stopped tasks included.
    signal(record.pid, "SIGKILL");
    for (let i = 0; i < 100 && alive(record.pid); i++) await sleep(20);
  }

  async remove(record: WorkloadRecord): Promise<void> {
    await this.stop(record);
    this.launched.delete(record.id);
    this.ends.delete(record.id);
    await this.ports.unpublish(record.id);
    this.samples.delete(record.id);
    if (record.network) await this.dropNetwork(record.network);
    if (record.cgroup) await this.dropGroup(record.cgroup);
  }

  /**
   * Removes a group until it is gone under every controller: one rmdir may
   * fail while the last task is still leaving (this machine reaps slowly),
   * after which an empty procs file proves nothing.
   */
  private async dropGroup(cgroup: string): Promise<void> {
    for (let i = 0; i < 150; i++) {
      await removeGroup(cgroup);
      if (!groupRemains(cgroup)) break;
      await sleep(20);
    }
  }

  async stats(record: WorkloadRecord): Promise<WorkloadStats> {
    if (!record.cgroup) return { id: record.id, cpu: 0, memoryBytes: 0 };
    const now = Date.now();
    const c = await readCounters(record.cgroup);
    const prev = this.samples.get(record.id);
    this.samples.set(record.id, { cpuNs: c.cpuNs, at: now });
    const cpu = prev && now > prev.at ? Math.max(0, (c.cpuNs - prev.cpuNs) / 1e6 / (now - prev.at)) : 0;
    return { id: record.id, cpu, memoryBytes: c.memoryBytes };
  }

  async logs(): Promise<string> {
    return "direct workloads run with stdio on /dev/null (files would pin the checkpoint to this host)\n";
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; the init reaps slowly here.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  return tasks.split(/\s+/).filter(Boolean).map(Number);
}

/** The root and every descendant of it (host PIDs). */
export async function treePids(root: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [root];
  while (queue.length && out.length < 10_000) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(await childrenOf(p)));
  }
  return out;
}

async function waitForChild(parent: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    // The shell execs unshare, whose only child is the new namespace's init (NSpid ... 1).
    for (const kid of await childrenOf(parent)) {
      const status = await readFile(`/proc/${kid}/status`, "utf8").catch(() => "");
      if (/^NSpid:\s+\d+\s+1\s*$/m.test(status)) return kid;
    }
    await sleep(10);
  }
  throw new Error("the workload's PID namespace did not start (unshare gave no child)");
}

function groupRemains(cgroup: string): boolean {
  return procsFiles(cgroup).some((f) => existsSync(path.dirname(f)));
}
