// The election every HA role stands on, against a real three-member etcd: one
// leader at a time, a standby that takes over when the leader resigns or its
// lease runs out, terms that only grow, and a fence that refuses a deposed
// leader's write.
import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { joinElection } from "../../../src/etcd/leadership.js";
import { describeWhen, missing, needs } from "../../helpers/env.js";
import { startEtcdCluster, type TestEtcdCluster } from "../../helpers/etcd.js";
import { spawnChild } from "../../helpers/processes.js";
import { waitFor } from "../../helpers/wait.js";

const CANDIDATE = new URL("../../helpers/election-candidate.ts", import.meta.url).pathname;

describeWhen("etcd leadership", missing([needs.etcd()]), () => {
  let cluster: TestEtcdCluster;
  const clients: Etcd3[] = [];
  const client = (): Etcd3 => {
    const c = new Etcd3({ hosts: cluster.members.map((m) => m.client), dialTimeout: 2_000 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await startEtcdCluster(3, "fm-lead");
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  it("elects one leader, hands over on resign with a larger term, and fences the old term's writes", async () => {
    const a = await joinElection(client(), "t1", "http://a", { ttlS: 2 });
    await waitFor(() => a.isLeader() || null, { timeoutMs: 10_000, what: "a to lead" });
    const b = await joinElection(client(), "t1", "http://b", { ttlS: 2 });
    await waitFor(() => (b.leader() === "http://a" ? true : null), { timeoutMs: 10_000, what: "b to see a lead" });
    expect(b.isLeader()).toBe(false);
    const termA = a.term()!;
    const fenceA = a.fence()!;

    const elected = new Promise<bigint>((resolve) => b.on("elected", resolve));
    await a.close();
    const termB = await elected;
    expect(b.isLeader()).toBe(true);
    expect(termB > termA).toBe(true);
    await waitFor(() => (b.leader() === "http://b" ? true : null), { timeoutMs: 10_000, what: "b to observe itself" });

    // A write fenced by a's old term no longer commits; b's does.
    const kv = client();
    const fenced = async (fence: { key: string; createRevision: string }, value: string) =>
      (await kv.if(fence.key, "Create", "==", fence.createRevision).then(kv.put("/fm-lead/x").value(value)).commit()).succeeded;
    expect(await fenced(fenceA, "from a")).toBe(false);
    expect(await fenced(b.fence()!, "from b")).toBe(true);
    expect(await kv.get("/fm-lead/x").string()).toBe("from b");
    await b.close();
  }, 60_000);

  it("a leader whose process is SIGKILLed is replaced after its lease TTL, also with one of three etcd members down", async () => {
    const takeover = async (label: string, name: string): Promise<void> => {
      const hosts = cluster.members.filter((m) => m.running()).map((m) => m.client).join(",");
      const a = spawnChild(process.execPath, ["--import", "tsx", CANDIDATE, hosts, name, "http://a", "2"]);
      await a.line((l) => l.startsWith("elected "), 15_000);
      const b = await joinElection(client(), name, "http://b", { ttlS: 2 });
      await waitFor(() => (b.leader() === "http://a" ? true : null), { timeoutMs: 10_000, what: "b to see a lead" });
      const t0 = Date.now();
      process.kill(a.pid, "SIGKILL");
      await waitFor(() => b.isLeader() || null, { timeoutMs: 20_000, what: `b to take over (${label})` });
      console.log(`takeover after the leader was SIGKILLed (${label}): ${Date.now() - t0} ms, lease TTL 2 s`);
      expect(b.leader()).toBe("http://b");
      expect(b.term()! > BigInt(a.stdout().match(/elected (\d+)/)![1]!)).toBe(true);
      await b.close();
    };
    await takeover("three members up", "t2");
    await cluster.members[0]!.kill();
    await takeover("one of three members killed", "t3");
    await cluster.members[0]!.start();
  }, 90_000);
});
