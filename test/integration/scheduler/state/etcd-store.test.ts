// The scheduler's stores on a real etcd: a batch is one transaction (all of it
// or none), records come back as written, migration records in first-save
// order, and an unreachable etcd is a clear error at connect.
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectEtcd, type EtcdConnection } from "../../../../src/etcd/connect.js";
import { parseEtcdUrl } from "../../../../src/etcd/endpoints.js";
import { EtcdMigrationStore } from "../../../../scheduler/migration/etcd-store.js";
import type { ManagedMove } from "../../../../scheduler/migration/record.js";
import { MAX_TXN_OPS } from "../../../../src/etcd/keyed-records.js";
import { EtcdStateStore } from "../../../../scheduler/state/etcd-store.js";
import type { StateChange } from "../../../../scheduler/state/records.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { startEtcd, type TestEtcd } from "../../../helpers/etcd.js";
import { closedPort } from "../../../helpers/ports.js";

describeWhen("scheduler stores on etcd", missing([needs.etcd()]), () => {
  let etcd: TestEtcd;
  let conn: EtcdConnection;

  beforeAll(async () => {
    etcd = await startEtcd("fmes-etcd");
    conn = await connectEtcd(parseEtcdUrl(etcd.url));
  }, 30_000);

  afterAll(async () => {
    conn?.close();
    await etcd?.stop();
  });

  const node = (name: string): StateChange => ({ kind: "node", key: name, value: { name, tier: "edge", cpus: 2, netDelayMs: 2 } });

  it("applies a batch as one transaction and loads the records back (a deletion removes one)", async () => {
    const store = new EtcdStateStore(conn.client);
    await store.apply([node("edge/a"), node("edge-b"), { kind: "device", key: "d 1", value: { id: "d 1", registeredAt: "2026-12-02T00:00:00.000Z", auto: false } }, { kind: "taskSeq", key: "taskSeq", value: 7 }]);
    await store.apply([{ kind: "node", key: "edge-b", value: null }]);
    const snap = await new EtcdStateStore(conn.client).load();
    expect(snap.nodes.map((n) => n.name)).toEqual(["edge/a"]);
    expect(snap.devices.map((d) => d.id)).toEqual(["d 1"]);
    expect(snap.taskSeq).toBe(7);
  });

  it(`refuses a batch over ${MAX_TXN_OPS} changes before writing any of it`, async () => {
    const store = new EtcdStateStore(conn.client);
    const big = Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => node(`big-${i}`));
    await expect(store.apply(big)).rejects.toThrow(/exceeds etcd's 128 operations/);
    expect((await store.load()).nodes.some((n) => n.name.startsWith("big-"))).toBe(false);
  });

  it("keeps a migration's latest record, in first-save order", async () => {
    const moves = new EtcdMigrationStore(conn.client);
    const rec = (id: string, state: string) => ({ id, state, task: "t-1" }) as unknown as ManagedMove;
    await moves.save(rec("m-2", "PENDING"));
    await moves.save(rec("m-1", "PENDING"));
    await moves.save(rec("m-2", "EXECUTION"));
    expect((await moves.loadAll()).map((r) => `${r.id}:${r.state}`)).toEqual(["m-2:EXECUTION", "m-1:PENDING"]);
  });

  it("says which members cannot be reached", async () => {
    const port = await closedPort();
    await expect(connectEtcd(parseEtcdUrl(`etcd://127.0.0.1:${port}`), { timeoutMs: 1_000 })).rejects.toThrow(`etcd at http://127.0.0.1:${port} cannot be reached`);
  });
});
