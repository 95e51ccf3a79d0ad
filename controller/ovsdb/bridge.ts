// Bridges through OVSDB, the way `ovs-vsctl add-br/del-br` makes them, with
// the user-space datapath this platform needs (no OVS kernel module).
//
// API:
//   addBridgeOps(name, opts) -> OvsdbOp[]  (pure: the transaction)
//   addBridge(client, name, {datapathType="netdev", protocols=["OpenFlow13"], controller?, failMode?})
//   deleteBridge(client, name) -> true when it existed
//   bridgeExists(client, name)
//   addPortOps / addPort(client, bridge, name, ifaceColumns?) -> ofport;  removePort(client, bridge, name)
import type { OvsdbClient, OvsdbOp } from "./client.js";
import { OvsdbError } from "./client.js";
import { namedUuid, ovsSet } from "./datum.js";
import { pollUntil, transactAndApply } from "./apply.js";

export interface BridgeOptions {
  /** "netdev" (user space) unless told otherwise. */
  datapathType?: string;
  protocols?: string[];
  /** e.g. "tcp:127.0.0.1:6653" */
  controller?: string;
  failMode?: "secure" | "standalone";
}

export function addBridgeOps(name: string, opts: BridgeOptions = {}): OvsdbOp[] {
  const bridgeRow: Record<string, unknown> = {
    name,
    ports: ovsSet([namedUuid("port")]),
    datapath_type: opts.datapathType ?? "netdev",
    protocols: ovsSet(opts.protocols ?? ["OpenFlow13"]),
  };
  if (opts.failMode) bridgeRow.fail_mode = opts.failMode;
  const ops: OvsdbOp[] = [
    // Guard against a concurrent creator: fail unless no bridge has this name.
    { op: "wait", table: "Bridge", where: [["name", "==", name]], columns: ["name"], until: "==", rows: [], timeout: 0 },
    { op: "insert", table: "Interface", row: { name, type: "internal" }, "uuid-name": "iface" },
    { op: "insert", table: "Port", row: { name, interfaces: ovsSet([namedUuid("iface")]) }, "uuid-name": "port" },
  ];
  if (opts.controller) {
    ops.push({ op: "insert", table: "Controller", row: { target: opts.controller }, "uuid-name": "ctl" });
    bridgeRow.controller = ovsSet([namedUuid("ctl")]);
  }
  ops.push(
    { op: "insert", table: "Bridge", row: bridgeRow, "uuid-name": "br" },
    { op: "mutate", table: "Open_vSwitch", where: [], mutations: [["bridges", "insert", ovsSet([namedUuid("br")])]] },
  );
  return ops;
}

export async function bridgeExists(client: OvsdbClient, name: string): Promise<boolean> {
  return (await client.select("Bridge", [["name", "==", name]], ["name"])).length > 0;
}

export async function addBridge(client: OvsdbClient, name: string, opts: BridgeOptions = {}): Promise<void> {
  if (await bridgeExists(client, name)) throw new OvsdbError(`bridge ${name} already exists`);
  await transactAndApply(client, addBridgeOps(name, opts));
}

export async function deleteBridge(client: OvsdbClient, name: string): Promise<boolean> {
  const [row] = await client.select("Bridge", [["name", "==", name]], ["_uuid"]);
  if (!row) return false;
  // Bridge, Port and Interface are not root tables: dropping the reference garbage-collects them.
  await transactAndApply(client, [
    { op: "mutate", table: "Open_vSwitch", where: [], mutations: [["bridges", "delete", ovsSet([row._uuid as ["uuid", string]])]] },
  ]);
  return true;
}


/** The transaction adding one Port with one Interface (`iface` holds its extra columns) to `bridge`. */
export function addPortOps(bridge: string, name: string, iface: Record<string, unknown> = {}): OvsdbOp[] {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new OvsdbError(`port name '${name}' must be 1-15 letters, digits, '_', '.', '-'`);
  return [
    { op: "insert", table: "Interface", row: { ...iface, name }, "uuid-name": "iface" },
    { op: "insert", table: "Port", row: { name, interfaces: ovsSet([namedUuid("iface")]) }, "uuid-name": "port" },
    { op: "mutate", table: "Bridge", where: [["name", "==", bridge]], mutations: [["ports", "insert", ovsSet([namedUuid("port")])]] },
  ];
}

/**
 * Adds a port (a system interface such as a veth or kernel VXLAN device when
 * `iface` is empty), waits for vswitchd, and returns its OpenFlow port number.
 */
export async function addPort(
  client: OvsdbClient,
  bridge: string,
  name: string,
  iface: Record<string, unknown> = {},
  wait: { timeoutMs?: number } = {},
): Promise<number> {
  const results = await transactAndApply(client, addPortOps(bridge, name, iface), wait);
  // The inserts of a failed mutate are unreferenced and garbage-collected in the same commit.
  if (results[2]?.count !== 1) throw new OvsdbError(`no bridge named ${bridge}`);
  return waitForOfport(client, name, wait.timeoutMs ?? 10_000);
}

/** Removes the port named `name` from `bridge`; false when no such port exists. */
export async function removePort(client: OvsdbClient, bridge: string, name: string): Promise<boolean> {
  const [port] = await client.select("Port", [["name", "==", name]], ["_uuid"]);
  if (!port) return false;
  const [result] = await transactAndApply(client, [
    { op: "mutate", table: "Bridge", where: [["name", "==", bridge]], mutations: [["ports", "delete", ovsSet([port._uuid as ["uuid", string]])]] },
  ]);
  if (result?.count !== 1) throw new OvsdbError(`no bridge named ${bridge}`);
  return true;
}

export function waitForOfport(client: OvsdbClient, name: string, timeoutMs: number): Promise<number> {
  return pollUntil(
    async () => {
      const [row] = await client.listInterfaces([["name", "==", name]]);
      if (!row) throw new OvsdbError(`interface ${name} vanished`);
      if (row.ofport === -1) throw new OvsdbError(`OVS could not add ${name}: ${row.error ?? "ofport -1"}`);
      return row.ofport !== null && row.ofport > 0 ? row.ofport : null;
    },
    { timeoutMs, what: `an OpenFlow port number for ${name}` },
  );
}
