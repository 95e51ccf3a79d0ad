// Service addresses: each running task gets an IP of the service CIDR (the
// network and broadcast addresses and the first host, the gateway, are never
// handed out) and a fixed MAC derived from it (02:00 + the four bytes), kept
// wherever the task moves and freed when it is released.
import { IPv4, IPv4CidrRange, Validator } from "ip-num";

export const DEFAULT_SERVICE_CIDR = "10.77.0.0/16";

export interface ServiceAddress {
  ip: string;
  prefixLen: number;
  mac: string;
  gateway: string;
}

export class AddressPlan {
  readonly prefixLen: number;
  readonly gateway: string;
  private readonly first: bigint;
  private readonly last: bigint;
  private readonly taken = new Set<bigint>();
  private cursor: bigint;

  constructor(readonly cidr: string = DEFAULT_SERVICE_CIDR) {
    const [ok] = Validator.isValidIPv4CidrNotation(cidr);
    if (!ok) throw new Error(`service CIDR '${cidr}' is not an IPv4 CIDR block`);
    const range = IPv4CidrRange.fromCidr(cidr);
    if (range.getFirst().toString() !== cidr.split("/")[0]) throw new Error(`service CIDR '${cidr}' has host bits set (network is ${range.getFirst()})`);
    this.prefixLen = Number(range.getPrefix().getValue());
    if (this.prefixLen > 30) throw new Error(`service CIDR '${cidr}' is too small (at most /30)`);
    const network = range.getFirst().getValue();
    this.gateway = new IPv4(network + 1n).toString();
    this.first = network + 2n;
    this.last = range.getLast().getValue() - 1n;
    this.cursor = this.first;
  }

  /** The next free address; undefined when the block is full. */
  allocate(): ServiceAddress | undefined {
    const size = this.last - this.first + 1n;
    for (let i = 0n; i < size; i++) {
      const v = this.first + ((this.cursor - this.first + i) % size);
      if (this.taken.has(v)) continue;
      this.taken.add(v);
      this.cursor = v + 1n > this.last ? this.first : v + 1n;
      return this.address(v);
    }
    return undefined;
  }

  /** Takes a given address again (a restored binding); false when it is outside the block or taken. */
  claim(ip: string): boolean {
    const [ok] = Validator.isValidIPv4String(ip);
    if (!ok) return false;
    const v = new IPv4(ip).getValue();
    if (v < this.first || v > this.last || this.taken.has(v)) return false;
    this.taken.add(v);
    // Hand out after the highest restored address, as the run before would have.
    if (v >= this.cursor) this.cursor = v + 1n > this.last ? this.first : v + 1n;
    return true;
  }

  free(ip: string): boolean {
    return this.taken.delete(new IPv4(ip).getValue());
  }

  get used(): number {
    return this.taken.size;
  }

  private address(v: bigint): ServiceAddress {
    const ip = new IPv4(v).toString();
    return { ip, prefixLen: this.prefixLen, mac: macOf(ip), gateway: this.gateway };
  }
}

/** 02:00:a:b:c:d for a.b.c.d (locally administered, unicast). */
export function macOf(ip: string): string {
  return ["02", "00", ...ip.split(".").map((o) => Number(o).toString(16).padStart(2, "0"))].join(":");
}
