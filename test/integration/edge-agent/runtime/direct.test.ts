// A direct workload whose create fails after its cgroup was made leaves
// nothing behind: here its port is held by another listener, so publishing
// fails once the tree runs; the tree, the port listeners and the cgroup go,
// and the error says it was undone (each failed create once left a cgroup).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect, it } from "vitest";
import { CGROUP_ROOT } from "../../../../edge-agent/runtime/cgroup.js";
import { DirectRuntime } from "../../../../edge-agent/runtime/direct.js";
import { StartFailedError } from "../../../../edge-agent/runtime/start-failed.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";

/** PIDs of processes whose argv is exactly `argv`. */
function processesRunning(argv: string[]): number[] {
  const want = `${argv.join("\0")}\0`;
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, "utf8") === want;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

describeWhen("direct runtime: a failed create is undone", missing([needs.root(), [() => existsSync(path.join(CGROUP_ROOT, "cpu", "cpu.cfs_quota_us")), "no cgroup v1 cpu controller"]]), () => {
  it("a port in use after the tree started: StartFailedError naming the port, no cgroup and no process left", async () => {
    const node = `fm-undo-${process.pid}`;
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "0.0.0.0", resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const runtime = new DirectRuntime(node);
    // An argv no other process on this machine has, to look for afterwards.
    const command = ["sleep", String(100000 + process.pid)];
    try {
      const err = await runtime.create("w1", { command, cpuLimit: 0.2, ports: [port], labels: {} }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StartFailedError);
      expect((err as StartFailedError).busyPort).toBe(port);
      expect((err as Error).message).toMatch(/undone/);
      // Each create has a group of its own (id plus a random suffix): none of the node's is left.
      for (const c of ["cpu", "cpuacct", "memory"]) expect(existsSync(path.join(CGROUP_ROOT, c, "fleximigrate", node)), c).toBe(false);
      expect(processesRunning(command)).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
