// Pure ARP codec and the answer a controller gives from its host table, so
// known hosts are resolved without flooding requests through the network.
import { ETH_TYPE_ARP, ipv4At, macAt, writeIpv4, writeMac } from "../packets/ethernet.js";

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export interface ArpPacket {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** Parses the ARP body at `offset` (Ethernet/IPv4 ARP only). */
export function parseArp(frame: Buffer, offset: number): ArpPacket | null {
  if (frame.length < offset + 28) return null;
  if (frame.readUInt16BE(offset) !== 1 || frame.readUInt16BE(offset + 2) !== 0x0800) return null;
  if (frame[offset + 4] !== 6 || frame[offset + 5] !== 4) return null;
  return {
    op: frame.readUInt16BE(offset + 6),
    senderMac: macAt(frame, offset + 8),
    senderIp: ipv4At(frame, offset + 14),
    targetMac: macAt(frame, offset + 18),
    targetIp: ipv4At(frame, offset + 24),
  };
}

/** A full Ethernet frame carrying `arp`, from `ethSrc` to `ethDst`. */
export function encodeArpFrame(ethDst: string, ethSrc: string, arp: ArpPacket): Buffer {
  const f = Buffer.alloc(42);
  writeMac(f, 0, ethDst);
  writeMac(f, 6, ethSrc);
  f.writeUInt16BE(ETH_TYPE_ARP, 12);
  f.writeUInt16BE(1, 14);
  f.writeUInt16BE(0x0800, 16);
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(arp.op, 20);
  writeMac(f, 22, arp.senderMac);
  writeIpv4(f, 28, arp.senderIp);
  writeMac(f, 32, arp.targetMac);
  writeIpv4(f, 38, arp.targetIp);
  return f;
}

/**
 * The reply frame for an ARP request when `lookup` knows the target IP's MAC;
 * null for anything else (replies, gratuitous ARP, unknown targets).
 */
export function answerArp(request: ArpPacket, lookup: (ip: string) => string | undefined): Buffer | null {
  if (request.op !== ARP_REQUEST || request.senderIp === request.targetIp) return null;
  const mac = lookup(request.targetIp);
  if (!mac) return null;
  return encodeArpFrame(request.senderMac, mac, {
    op: ARP_REPLY,
    senderMac: mac,
    senderIp: request.targetIp,
    targetMac: request.senderMac,
    targetIp: request.senderIp,
  });
}
