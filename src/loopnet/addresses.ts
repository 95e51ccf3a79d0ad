// IPv4 arithmetic the plan needs: a CIDR's bounds, and the addresses devices
// and the gateway take at its top (service IPs are handed out from its bottom).

export interface Cidr {
  base: number;
  length: number;
}

export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    n = n * 256 + Number(part);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** "10.77.0.0/16" → {base, length}; null when malformed or when the base has host bits set. */
export function parseCidr(text: string): Cidr | null {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return null;
  const base = parseIpv4(m[1]!);
  const length = Number(m[2]);
  if (base === null || length > 32) return null;
  if (base % 2 ** (32 - length) !== 0) return null;
  return { base, length };
}

/** The n-th address counted down from the CIDR's broadcast address (n = 1: the last usable one). */
export function fromTop(cidr: Cidr, n: number): string {
  return formatIpv4(cidr.base + 2 ** (32 - cidr.length) - 1 - n);
}
