// Pure LLDP frame codec for link discovery: the chassis id carries the
// sending switch's datapath id and the port id its port number, so a frame
// that comes back in a PACKET_IN on another switch names both ends of a link.
import { ETH_TYPE_LLDP, macAt, writeMac } from "../packets/ethernet.js";

/** Nearest-bridge group address: switches never forward it on their own. */
export const LLDP_MULTICAST = "01:80:c2:00:00:0e";

const TLV_END = 0;
const TLV_CHASSIS_ID = 1;
const TLV_PORT_ID = 2;
const TLV_TTL = 3;
const CHASSIS_LOCAL = 7;
const PORT_COMPONENT = 2;
const CHASSIS_PREFIX = "dpid:";

export interface LldpProbe {
  dpid: string;
  port: number;
}

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE((type << 9) | value.length);
  return Buffer.concat([head, value]);
}

/** A complete Ethernet frame announcing (dpid, port), sent from `srcMac`. */
export function encodeLldp(probe: LldpProbe, srcMac: string, ttlSeconds = 120): Buffer {
  const eth = Buffer.alloc(14);
  writeMac(eth, 0, LLDP_MULTICAST);
  writeMac(eth, 6, srcMac);
  eth.writeUInt16BE(ETH_TYPE_LLDP, 12);
  const port = Buffer.alloc(5);
  port[0] = PORT_COMPONENT;
  port.writeUInt32BE(probe.port >>> 0, 1);
  const ttl = Buffer.alloc(2);
  ttl.writeUInt16BE(ttlSeconds);
  return Buffer.concat([
    eth,
    tlv(TLV_CHASSIS_ID, Buffer.concat([Buffer.from([CHASSIS_LOCAL]), Buffer.from(CHASSIS_PREFIX + probe.dpid, "ascii")])),
    tlv(TLV_PORT_ID, port),
    tlv(TLV_TTL, ttl),
    tlv(TLV_END, Buffer.alloc(0)),
  ]);
}

/** The probe in an LLDP frame we sent; null for other LLDP frames or garbage. */
export function decodeLldp(frame: Buffer): LldpProbe | null {
  if (frame.length < 14 || frame.readUInt16BE(12) !== ETH_TYPE_LLDP || macAt(frame, 0) !== LLDP_MULTICAST) return null;
  let offset = 14;
  let dpid: string | undefined;
  let port: number | undefined;
  let ttlSeen = false;
  while (offset + 2 <= frame.length) {
    const head = frame.readUInt16BE(offset);
    const type = head >> 9;
    const len = head & 0x1ff;
    const start = offset + 2;
    if (start + len > frame.length) return null;
    if (type === TLV_END) break;
    if (type === TLV_CHASSIS_ID && len > 1 && frame[start] === CHASSIS_LOCAL) {
      const text = frame.toString("ascii", start + 1, start + len);
      if (text.startsWith(CHASSIS_PREFIX)) dpid = text.slice(CHASSIS_PREFIX.length);
    } else if (type === TLV_PORT_ID && len === 5 && frame[start] === PORT_COMPONENT) {
      port = frame.readUInt32BE(start + 1);
    } else if (type === TLV_TTL && len === 2) {
      ttlSeen = true;
    }
    offset = start + len;
  }
  if (!ttlSeen || dpid === undefined || port === undefined || !/^[0-9a-f]{16}$/.test(dpid)) return null;
  return { dpid, port };
}
