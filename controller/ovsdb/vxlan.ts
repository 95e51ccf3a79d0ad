// VXLAN tunnel ports through OVSDB: an Interface of type "vxlan" with
// options remote_ip and key on its own Port of a bridge, as
// `ovs-vsctl add-port BR NAME -- set Interface NAME type=vxlan options:...`.
//
// API:
//   vxlanPortOps(bridge, name, opts) -> OvsdbOp[]   (pure: the transaction; validates opts)
//   addVxlanPort(client, bridge, name, {remoteIp, key, localIp?, dstPort?, ofportRequest?}) -> OpenFlow port number
//   removeVxlanPort(client, bridge, name) -> true when a vxlan port was removed (refuses other port types)
import { Validator } from "ip-num";
import { addPort, addPortOps, removePort } from "./bridge.js";
import { type OvsdbClient, OvsdbError, type OvsdbOp } from "./client.js";
import { ovsMap } from "./datum.js";

export interface VxlanOptions {
  /** Far end of the tunnel (IPv4), or "flow" to let flows set it. */
  remoteIp: string;
  /** VNI, 0..2^24-1, or "flow" to let flows set it (tun_id). */
  key: number | "flow";
  localIp?: string;
  /** UDP port; OVS uses 4789 when unset. */
  dstPort?: number;
  /** Ask OVS for this OpenFlow port number. */
  ofportRequest?: number;
}

const MAX_VNI = 0xffffff;

/** The Interface columns of a vxlan port; throws OvsdbError on bad options. */
export function vxlanInterface(opts: VxlanOptions): Record<string, unknown> {
  checkIp("remoteIp", opts.remoteIp, true);
  if (opts.localIp !== undefined) checkIp("localIp", opts.localIp, false);
  if (opts.key !== "flow" && (!Number.isInteger(opts.key) || opts.key < 0 || opts.key > MAX_VNI)) {
    throw new OvsdbError(`vxlan key must be an integer 0..${MAX_VNI} or "flow", got ${opts.key}`);
  }
  if (opts.dstPort !== undefined && (!Number.isInteger(opts.dstPort) || opts.dstPort < 1 || opts.dstPort > 65535)) {
    throw new OvsdbError(`vxlan dstPort must be 1..65535, got ${opts.dstPort}`);
  }
  const options: Record<string, string> = { remote_ip: opts.remoteIp, key: String(opts.key) };
  if (opts.localIp) options.local_ip = opts.localIp;
  if (opts.dstPort) options.dst_port = String(opts.dstPort);
  const iface: Record<string, unknown> = { type: "vxlan", options: ovsMap(options) };
  if (opts.ofportRequest !== undefined) iface.ofport_request = opts.ofportRequest;
  return iface;
}

export function vxlanPortOps(bridge: string, name: string, opts: VxlanOptions): OvsdbOp[] {
  return addPortOps(bridge, name, vxlanInterface(opts));
}

/** Creates the port, waits for vswitchd, and returns the OpenFlow port number OVS assigned. */
export function addVxlanPort(
  client: OvsdbClient,
  bridge: string,
  name: string,
  opts: VxlanOptions,
  wait: { timeoutMs?: number } = {},
): Promise<number> {
  return addPort(client, bridge, name, vxlanInterface(opts), wait);
}

export async function removeVxlanPort(client: OvsdbClient, bridge: string, name: string): Promise<boolean> {
  const [iface] = await client.listInterfaces([["name", "==", name]]);
  if (iface && iface.type !== "vxlan") throw new OvsdbError(`port ${name} is of type '${iface.type}', not vxlan`);
  return removePort(client, bridge, name);
}

function checkIp(what: string, ip: string, allowFlow: boolean): void {
  if (allowFlow && ip === "flow") return;
  const [ok] = Validator.isValidIPv4String(ip);
  if (!ok) throw new OvsdbError(`vxlan ${what} must be an IPv4 address${allowFlow ? ' or "flow"' : ""}, got '${ip}'`);
}
