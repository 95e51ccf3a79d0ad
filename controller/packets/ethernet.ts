// Pure Ethernet/IPv4 header reading for PACKET_IN payloads: only the fields
// forwarding and host tracking need, without copying the frame.

export const ETH_TYPE_IPV4 = 0x0800;
export const ETH_TYPE_ARP = 0x0806;
export const ETH_TYPE_VLAN = 0x8100;
export const ETH_TYPE_LLDP = 0x88cc;
export const ETH_TYPE_IPV6 = 0x86dd;

export interface EthernetHeader {
  dst: string;
  src: string;
  /** Ethertype after any 802.1Q tag. */
  ethType: number;
  /** Offset of the payload after the (possibly tagged) header. */
  payloadOffset: number;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** "aa:bb:cc:dd:ee:ff" from six bytes at `offset`. */
export function macAt(buf: Buffer, offset: number): string {
  return `${HEX[buf[offset] as number]}:${HEX[buf[offset + 1] as number]}:${HEX[buf[offset + 2] as number]}:${HEX[buf[offset + 3] as number]}:${HEX[buf[offset + 4] as number]}:${HEX[buf[offset + 5] as number]}`;
}

export function writeMac(buf: Buffer, offset: number, mac: string): void {
  const parts = mac.split(":");
  for (let i = 0; i < 6; i++) buf[offset + i] = Number.parseInt(parts[i] ?? "0", 16);
}

export function ipv4At(buf: Buffer, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

export function writeIpv4(buf: Buffer, offset: number, ip: string): void {
  const parts = ip.split(".");
  for (let i = 0; i < 4; i++) buf[offset + i] = Number(parts[i] ?? 0);
}

export function isMac(s: string): boolean {
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(s);
}

export function isIpv4(s: string): boolean {
  const parts = s.split(".");
  // No leading zeros: "01.2.3.4" is octal to some readers and refused by the DNS table, so it is no address here either.
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** Group bit set: broadcast or multicast destination. */
export function isMulticastMac(mac: string): boolean {
  return (Number.parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/** Null when the frame is too short to hold an Ethernet header. */
export function parseEthernet(frame: Buffer): EthernetHeader | null {
  if (frame.length < 14) return null;
  let ethType = frame.readUInt16BE(12);
  let payloadOffset = 14;
  if (ethType === ETH_TYPE_VLAN) {
    if (frame.length < 18) return null;
    ethType = frame.readUInt16BE(16);
    payloadOffset = 18;
  }
  return { dst: macAt(frame, 0), src: macAt(frame, 6), ethType, payloadOffset };
}

export interface Ipv4Header {
  src: string;
  dst: string;
  proto: number;
}

export function parseIpv4(frame: Buffer, offset: number): Ipv4Header | null {
  if (frame.length < offset + 20 || frame[offset] === undefined || (frame[offset] as number) >> 4 !== 4) return null;
  return { proto: frame[offset + 9] as number, src: ipv4At(frame, offset + 12), dst: ipv4At(frame, offset + 16) };
}
