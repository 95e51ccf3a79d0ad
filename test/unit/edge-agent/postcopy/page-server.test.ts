// The page server over real TCP on loopback, with pages from an in-memory
// source (the one boundary faked here; the integration test uses CRIU's).
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../../../edge-agent/postcopy/pagemap-image.js";
import {
  decodeHeader,
  encodeHeader,
  HEADER_BYTES,
  type Layout,
  PS_IOV_CLOSE,
  PS_IOV_GET,
  PS_REPLY_PAGES,
} from "../../../../edge-agent/postcopy/page-server-protocol.js";
import { FAULT_CUT_PAGES, foldFaultGap, hotWindow, type PageServer, startPageServer } from "../../../../edge-agent/postcopy/page-server.js";
import type { PageSource } from "../../../../edge-agent/postcopy/page-source.js";

const BASE = 0x7f0000000000;
const RUN = 64;

/** One task (pid 1) with one lazy run of RUN pages; every page starts with its page number. */
function memorySource(): PageSource & { closed: boolean } {
  const src = {
    closed: false,
    lazyRuns: new Map([[1, [{ vaddr: BASE, nrPages: RUN }]]]),
    available(pid: number, vaddr: number, nr: number) {
      const page = (vaddr - BASE) / PAGE_SIZE;
      if (pid !== 1 || !Number.isInteger(page) || page < 0 || page >= RUN) return 0;
      return Math.min(nr, RUN - page);
    },
    async read(_pid: number, vaddr: number, nr: number) {
      const buf = Buffer.alloc(nr * PAGE_SIZE);
      for (let i = 0; i < nr; i++) buf.writeUInt32LE((vaddr - BASE) / PAGE_SIZE + i, i * PAGE_SIZE);
      return buf;
    },
    async close() {
      src.closed = true;
    },
  };
  return src;
}

/** A client that reads replies the way CRIU's daemon does: header, then the pages it announces. */
class Client {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  constructor(
    readonly sock: Socket,
    readonly layout: Layout,
  ) {
    sock.on("data", (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(port: number, layout: Layout): Promise<Client> {
    const sock = connect(port, "127.0.0.1");
    await once(sock, "connect");
    return new Client(sock, layout);
  }
  send(cmd: number, nrPages: number, vaddr: number, dstId = 1) {
    this.sock.write(encodeHeader({ cmd, nrPages, vaddr, dstId }, this.layout));
  }
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) await new Promise<void>((r) => this.waiters.push(r));
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async reply() {
    const h = decodeHeader(await this.take(HEADER_BYTES[this.layout]), this.layout);
    const data = await this.take(h.nrPages * PAGE_SIZE);
    const firstWords = Array.from({ length: h.nrPages }, (_, i) => data.readUInt32LE(i * PAGE_SIZE));
    return { ...h, firstWords };
  }
}

let server: PageServer | undefined;
afterEach(async () => {
  await server?.abort("test over");
  server = undefined;
});

describe("page server", () => {
  for (const layout of ["4.1", "4.2"] as const) {
    it(`serves GETs in the ${layout} layout and resolves done at CLOSE`, async () => {
      const source = memorySource();
      server = await startPageServer({ source, host: "127.0.0.1", port: 0 });
      const c = await Client.open(server.port, layout);
      c.send(PS_IOV_GET, 1, BASE + 10 * PAGE_SIZE);
      const fault = await c.reply();
      expect(fault).toMatchObject({ cmd: PS_REPLY_PAGES, nrPages: 1, vaddr: BASE + 10 * PAGE_SIZE, dstId: 1 });
      expect(fault.firstWords).toEqual([10]);
      // A request past the end of the run gets a short reply.
      c.send(PS_IOV_GET, 100, BASE);
      const push = await c.reply();
      expect(push.nrPages).toBe(RUN);
      expect(push.firstWords).toEqual(Array.from({ length: RUN }, (_, i) => i));
      c.send(PS_IOV_CLOSE, 0, 0, 0);
      expect((await c.take(4)).readInt32LE(0)).toBe(0);
      const stats = await server.done;
      expect(stats).toMatchObject({ layout, pagesTotal: RUN, pagesOnFault: 1, pagesPushed: RUN - 1, pagesResent: 1, pagesRemaining: 0, faultRequests: 1 });
      expect(stats.bytesServed).toBe(2 * HEADER_BYTES[layout] + (RUN + 1) * PAGE_SIZE);
      expect(source.closed).toBe(true);
    });
  }

  it("cuts a background reply short when a fault waits behind it", async () => {
    server = await startPageServer({ source: memorySource(), host: "127.0.0.1", port: 0, layout: "4.1" });
    const c = await Client.open(server.port, "4.1");
    // Both in one write: the fault is already queued when the background request is answered.
    c.sock.write(
      Buffer.concat([
        encodeHeader({ cmd: PS_IOV_GET, nrPages: RUN, vaddr: BASE, dstId: 1 }, "4.1"),
        encodeHeader({ cmd: PS_IOV_GET, nrPages: 1, vaddr: BASE + 50 * PAGE_SIZE, dstId: 1 }, "4.1"),
      ]),
    );
    const first = await c.reply();
    const second = await c.reply();
    expect(first.nrPages).toBe(FAULT_CUT_PAGES);
    expect(second.firstWords).toEqual([50]);
    expect(server.stats()).toMatchObject({ pagesPushed: FAULT_CUT_PAGES, pagesOnFault: 1, pagesRemaining: RUN - FAULT_CUT_PAGES - 1 });
  });

  it("caps a background reply at maxPushPages; the daemon asks again for the rest", async () => {
    server = await startPageServer({ source: memorySource(), host: "127.0.0.1", port: 0, layout: "4.1", maxPushPages: 8 });
    const c = await Client.open(server.port, "4.1");
    c.send(PS_IOV_GET, 1, BASE); // the first request is a fault
    await c.reply();
    c.send(PS_IOV_GET, RUN - 1, BASE + PAGE_SIZE);
    const first = await c.reply();
    expect(first.nrPages).toBe(8);
    expect(first.firstWords).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    c.send(PS_IOV_GET, RUN - 9, BASE + 9 * PAGE_SIZE);
    expect((await c.reply()).firstWords[0]).toBe(9);
    expect(server.stats()).toMatchObject({ pagesPushed: 16, pagesOnFault: 1, pagesRemaining: RUN - 17 });
  });

  it("keeps background replies short across a WAN round trip between faults (the hot window follows the gaps)", async () => {
    expect(hotWindow(10, undefined)).toBe(10);
    // Faults a round trip apart (23 ms on the testbed): the window spans three of them.
    let gap: number | undefined;
    for (const g of [23, 25, 22, 24]) gap = foldFaultGap(gap, g);
    expect(gap).toBeGreaterThan(22);
    expect(gap).toBeLessThan(25);
    expect(hotWindow(10, gap)).toBeCloseTo(3 * gap!, 5);
    // Local faults come faster than the base window: it stays.
    expect(hotWindow(10, foldFaultGap(undefined, 0.5))).toBe(10);
    // A pause of seconds is not a round trip: it leaves the average alone, and the window is capped.
    expect(foldFaultGap(gap, 5_000)).toBe(gap);
    expect(hotWindow(10, 1_000)).toBe(300);

    // On the wire: a fault, 40 ms (past the 10 ms base window), a background request of 20 pages; three times.
    server = await startPageServer({ source: memorySource(), host: "127.0.0.1", port: 0, layout: "4.1", hotWindowMs: 10 });
    const c = await Client.open(server.port, "4.1");
    const pushes: number[] = [];
    for (let i = 0; i < 3; i++) {
      c.send(PS_IOV_GET, 1, BASE + (60 + i) * PAGE_SIZE);
      await c.reply();
      await new Promise((r) => setTimeout(r, 40));
      c.send(PS_IOV_GET, 20, BASE + i * 20 * PAGE_SIZE);
      pushes.push((await c.reply()).nrPages);
    }
    // No gap known after the first fault: the 10 ms window has passed and the reply is whole. From the
    // second fault on, the window spans three ~40 ms gaps, so the replies 40 ms after a fault stay cut.
    expect(pushes).toEqual([20, FAULT_CUT_PAGES, FAULT_CUT_PAGES]);
  });

  it("rejects done when the client hangs up before CLOSE, naming the pages never sent", async () => {
    server = await startPageServer({ source: memorySource(), host: "127.0.0.1", port: 0 });
    const c = await Client.open(server.port, "4.1");
    c.send(PS_IOV_GET, 1, BASE);
    await c.reply();
    c.sock.destroy();
    await expect(server.done).rejects.toThrow(/before PS_IOV_CLOSE \(63 pages never sent\)/);
  });

  it("ignores a connection that closes without asking for anything", async () => {
    server = await startPageServer({ source: memorySource(), host: "127.0.0.1", port: 0, layout: "4.2" });
    const probe = await Client.open(server.port, "4.2");
    probe.sock.destroy();
    const c = await Client.open(server.port, "4.2");
    c.send(PS_IOV_GET, RUN, BASE);
    expect((await c.reply()).nrPages).toBe(RUN);
    c.send(PS_IOV_CLOSE, 0, 0, 0);
    await expect(server.done).resolves.toMatchObject({ pagesRemaining: 0, layout: "4.2" });
  });

  it("fails the transfer on a request for pages it does not have", async () => {
    server = await startPageServer({ source: memorySource(), host: "127.0.0.1", port: 0 });
    const c = await Client.open(server.port, "4.1");
    c.send(PS_IOV_GET, 1, BASE, 99);
    await expect(server.done).rejects.toThrow(/no pages for pid 99/);
  });
});
