// Keyed records written only by the leader, against a real etcd: a sink
// guarded by the leader's fence writes while it leads; once another process
// leads, the old term's write is refused by etcd itself (FencedOut) and
// nothing of it lands; a guard with no fence (not leading) refuses before
// sending. A standby reads the leader's term (the OpenFlow generation id a
// standby claims SLAVE at).
import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EtcdKeyedSink, FencedOut, readKeyed, writeKeyed } from "../../../src/etcd/keyed-records.js";
import { joinElection } from "../../../src/etcd/leadership.js";
import { describeWhen, missing, needs } from "../../helpers/env.js";
import { startEtcd, type TestEtcd } from "../../helpers/etcd.js";
import { waitFor } from "../../helpers/wait.js";

const PREFIX = "/fmhc-fenced/";
const isChange = (c: unknown): c is { kind: string; key: string; value: unknown } => typeof c === "object" && c !== null;

describeWhen("fenced keyed records", missing([needs.etcd()]), () => {
  let etcd: TestEtcd;
  const clients: Etcd3[] = [];
  const client = (): Etcd3 => {
    const c = new Etcd3({ hosts: [`http://127.0.0.1:${etcd.clientPort}`], dialTimeout: 2_000 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    etcd = await startEtcd("fmhc-fence");
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await etcd?.stop();
  });

  it("the leader's writes commit under its term only; a standby knows the leader's term", async () => {
    const kv = client();
    const a = await joinElection(client(), "fmhc", "http://a", { ttlS: 2 });
    await waitFor(() => a.isLeader() || null, { timeoutMs: 10_000, what: "a to lead" });
    const b = await joinElection(client(), "fmhc", "http://b", { ttlS: 2 });
    expect(await b.leaderTerm()).toBe(a.term());

    const sinkA = new EtcdKeyedSink(kv, PREFIX, "test", () => {}, { fence: () => a.fence() });
    await sinkA.append({ changes: [{ kind: "dns", key: "one", value: { v: 1 } }] }, () => {});
    const fenceA = a.fence()!;

    const elected = new Promise<bigint>((resolve) => b.on("elected", resolve));
    await a.close();
    const termB = await elected;
    expect(termB).toBeGreaterThan(BigInt(fenceA.createRevision));
    expect(await b.leaderTerm()).toBe(termB);

    // a's old term: refused by etcd; a no longer leads: refused before sending.
    await expect(writeKeyed(kv, PREFIX, [{ kind: "dns", key: "two", value: { v: 2 } }], { fence: () => fenceA })).rejects.toBeInstanceOf(FencedOut);
    await expect(sinkA.append({ changes: [{ kind: "dns", key: "three", value: { v: 3 } }] }, () => {})).rejects.toBeInstanceOf(FencedOut);
    await new EtcdKeyedSink(kv, PREFIX, "test", () => {}, { fence: () => b.fence() }).append({ changes: [{ kind: "dns", key: "four", value: { v: 4 } }] }, () => {});
    expect((await readKeyed(kv, PREFIX, isChange)).map((c) => c.key)).toEqual(["one", "four"]);
    await b.close();
  }, 60_000);
});
