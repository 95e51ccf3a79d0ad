// Transactions that ovs-vswitchd must act on before we go on: like
// ovs-vsctl, bump Open_vSwitch.next_cfg in the same transaction and wait
// until vswitchd reports cur_cfg >= that value (it has reconfigured).
//
// API: transactAndApply(client, ops, {timeoutMs}) -> the results of `ops`
//      pollUntil(probe, {timeoutMs, intervalMs, what}) -> first non-null value of probe()
import { type OvsdbClient, OvsdbError, type OvsdbOp } from "./client.js";

export async function transactAndApply(
  client: OvsdbClient,
  ops: OvsdbOp[],
  opts: { timeoutMs?: number } = {},
): Promise<Record<string, unknown>[]> {
  const results = await client.transact([
    ...ops,
    { op: "mutate", table: "Open_vSwitch", where: [], mutations: [["next_cfg", "+=", 1]] },
    { op: "select", table: "Open_vSwitch", where: [], columns: ["next_cfg"] },
  ]);
  const rows = results[ops.length + 1]?.rows as { next_cfg: number }[] | undefined;
  const target = rows?.[0]?.next_cfg;
  if (typeof target !== "number") throw new OvsdbError("OVSDB: cannot read Open_vSwitch.next_cfg");
  await pollUntil(
    async () => {
      const [row] = await client.select("Open_vSwitch", [], ["cur_cfg"]);
      return typeof row?.cur_cfg === "number" && row.cur_cfg >= target ? true : null;
    },
    { timeoutMs: opts.timeoutMs ?? 10_000, what: `ovs-vswitchd to apply configuration ${target}` },
  );
  return results.slice(0, ops.length);
}

/** Polls `probe` until it yields a non-null value; bounded by `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => Promise<T | null>,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() >= deadline) throw new OvsdbError(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
