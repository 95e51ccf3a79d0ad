// The shell's clean-up against a fake host: it finds leftovers by our exact
// naming scheme and removes those only (another prefix's, or a name we never
// make, stays); a failed command removes what was made and says which one.
import { describe, expect, it } from "vitest";
import { planLoopnet } from "../../../../src/loopnet/plan.js";
import type { Runner } from "../../../../src/loopnet/run.js";
import { applyPlan, cleanLeftovers } from "../../../../src/loopnet/shell.js";

/** A host holding `bridges`, `links` and `netns`, that forgets what a delete names. */
function fakeHost(state: { bridges: string[]; links: string[]; netns: string[] }, fail?: (argv: string[]) => boolean) {
  const calls: string[][] = [];
  const run: Runner = async (argv) => {
    calls.push(argv);
    const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });
    if (fail?.(argv)) return { code: 1, stdout: "", stderr: "RTNETLINK answers: File exists" };
    const cmd = argv.join(" ");
    if (cmd === "ovs-vsctl list-br") return ok(state.bridges.join("\n"));
    if (cmd === "ip -o link show") return ok(state.links.map((l, i) => `${i + 1}: ${l}: <BROADCAST> mtu 1500`).join("\n"));
    if (cmd === "ip netns list") return ok(state.netns.join("\n"));
    const last = argv.at(-1)!;
    if (argv.includes("del-br")) {
      state.bridges = state.bridges.filter((b) => b !== last);
      state.links = state.links.filter((l) => l !== last);
    }
    if (argv[1] === "link" && argv[2] === "del") state.links = state.links.filter((l) => l.split("@")[0] !== last);
    if (argv[1] === "netns" && argv[2] === "del") state.netns = state.netns.filter((n) => n.split(" ")[0] !== last);
    return ok();
  };
  return { run, calls, state };
}

describe("loopnet shell", () => {
  it("cleans only names of our scheme for the prefix", async () => {
    const host = fakeHost({
      bridges: ["fml-b0", "fml2-b0", "fml-br0", "fmlx"],
      links: ["lo", "fml-b0", "fml-s0a@fml-s0b", "fml-s0b@fml-s0a", "fml-x1a", "fml-d0", "fml-gw", "fml-t0", "fml2-gw", "fml-veth"],
      netns: ["fml-u0a (id: 3)", "fml-dev-edge-a", "fml-other", "fml2-u0a", "fma-dev (id: 0)"],
    });
    const removed = await cleanLeftovers("fml", host.run);
    expect(removed.sort()).toEqual(["fml-b0", "fml-d0", "fml-dev-edge-a", "fml-gw", "fml-s0a", "fml-s0b", "fml-u0a", "fml-x1a"].sort());
    expect(host.state.bridges).toEqual(["fml2-b0", "fml-br0", "fmlx"]);
    expect(host.state.links).toEqual(["lo", "fml-t0", "fml2-gw", "fml-veth"]);
    expect(host.state.netns).toEqual(["fml-other", "fml2-u0a", "fma-dev (id: 0)"]);
  });

  it("stops at a failed command, removes what it made and names the command", async () => {
    const plan = planLoopnet({ prefix: "fml", nodes: [{ name: "edge1", tier: "edge", site: "a" }], rootNetnsPid: 1 });
    const host = fakeHost({ bridges: [], links: [], netns: [] }, (argv) => argv.includes("veth"));
    await expect(applyPlan(plan, host.run)).rejects.toThrow(/^loopnet: 'ip link add fml-d0 type veth peer name eth0 netns fml-dev-a' failed: RTNETLINK answers: File exists \(leftovers of an earlier run\? remove them with clean\('fml'\)\)$/);
    const failedAt = host.calls.findIndex((argv) => argv.includes("veth"));
    expect(host.calls.slice(failedAt + 1)).toEqual(expect.arrayContaining(plan.removal));
  });
});
