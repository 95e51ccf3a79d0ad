// Text <-> bytes for MAC and IPv4 addresses as they appear in matches and ports.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Value of one hex digit's char code, or -1. (Hand parsing: FLOW_MOD encoding is on the controller's hot path.) */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Built only on failure: a closure per call would cost on the FLOW_MOD hot path. */
function notAn(kind: string, text: unknown): TypeError {
  return new TypeError(`not ${kind === "MAC" ? "a" : "an"} ${kind} address: ${JSON.stringify(text)}`);
}

export function formatMac(buf: Buffer, at: number): string {
  return `${HEX[buf[at]!]}:${HEX[buf[at + 1]!]}:${HEX[buf[at + 2]!]}:${HEX[buf[at + 3]!]}:${HEX[buf[at + 4]!]}:${HEX[buf[at + 5]!]}`;
}

/** Writes a "aa:bb:cc:dd:ee:ff" MAC at `at`; throws TypeError on anything else. */
export function writeMac(mac: string, buf: Buffer, at: number): void {
  if (typeof mac !== "string" || mac.length !== 17) throw notAn("MAC", mac);
  for (let i = 0; i < 6; i++) {
    const hi = hexDigit(mac.charCodeAt(i * 3));
    const lo = hexDigit(mac.charCodeAt(i * 3 + 1));
    if (hi < 0 || lo < 0 || (i < 5 && mac.charCodeAt(i * 3 + 2) !== 58)) throw notAn("MAC", mac);
    buf[at + i] = (hi << 4) | lo;
  }
}

export function formatIpv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/** Writes a dotted-quad IPv4 address at `at`; throws TypeError on anything else. */
export function writeIpv4(ip: string, buf: Buffer, at: number): void {
  if (typeof ip !== "string") throw notAn("IPv4", ip);
  let octet = 0;
  let digits = 0;
  let index = 0;
  for (let i = 0; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48);
      digits++;
    } else if (c === 46 && digits > 0 && octet <= 255 && index < 4) {
      buf[at + index++] = octet;
      octet = 0;
      digits = 0;
    } else {
      throw notAn("IPv4", ip);
    }
  }
  if (index !== 4) throw notAn("IPv4", ip);
}

/** "255.255.255.0" for a prefix length, handy for ipv4DstMask. */
export function ipv4PrefixMask(prefixLen: number): string {
  const bits = prefixLen <= 0 ? 0 : prefixLen >= 32 ? 0xffffffff : (0xffffffff << (32 - prefixLen)) >>> 0;
  return `${bits >>> 24}.${(bits >>> 16) & 0xff}.${(bits >>> 8) & 0xff}.${bits & 0xff}`;
}

/** The 16 bytes at `at` as RFC 5952 text: lower case, no leading zeros, the longest run of 2+ zero groups as "::". */
export function formatIpv6(buf: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(at + i * 2));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Writes IPv6 text ("fe80::1", "::ffff:10.0.0.1", full form) at `at`; throws TypeError on anything else. */
export function writeIpv6(ip: string, buf: Buffer, at: number): void {
  if (typeof ip !== "string") throw notAn("IPv6", ip);
  const halves = ip.split("::");
  if (halves.length > 2) throw notAn("IPv6", ip);
  const groupsOf = (part: string, endsAddress: boolean): number[] => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (endsAddress && i === pieces.length - 1 && piece.includes(".")) {
        const v4 = Buffer.alloc(4);
        writeIpv4(piece, v4, 0);
        out.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        throw notAn("IPv6", ip);
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) throw notAn("IPv6", ip);
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i]!, at + i * 2);
}
