// Our page server for post-copy: answers the lazy-pages daemon's PS_IOV_GET
// requests over TCP, in CRIU's wire format, from a PageSource (the frozen
// source tasks or a full dump).
//
// Ordering: the daemon matches replies to requests strictly first-in,
// first-out (page_server_async_read), so replies cannot be reordered. Faults
// still jump the queue: when a background request is answered while a fault
// waits behind it, the reply is cut short (the protocol allows fewer pages
// than asked; the daemon asks again for the rest), so the fault is answered
// after at most FAULT_CUT_PAGES more pages. Pushing unsolicited pages is not
// possible: the daemon reads its socket only for requests it made (it
// BUG()s on data with no request pending), so "push the rest" is its own
// background fetch, which we serve until no page remains.
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { awaitToken, tokenMatches } from "../transfer/page-wire.js";
import { setTimeout as sleep } from "node:timers/promises";
import { PAGE_SIZE } from "./pagemap-image.js";
import {
  encodeCloseStatus,
  encodeHeader,
  HeaderReader,
  type Layout,
  PS_IOV_CLOSE,
  PS_IOV_FORCE_CLOSE,
  PS_IOV_GET,
  PS_REPLY_PAGES,
  type PsIov,
  psCommand,
} from "./page-server-protocol.js";
import type { PageSource } from "./page-source.js";
import { PageTracker, type TrackerStats } from "./page-tracker.js";

/** How many pages a background reply shrinks to when a fault waits behind it. */
export const FAULT_CUT_PAGES = 16;

/**
 * The most pages one background reply carries (1 MiB). The daemon's
 * background requests grow to 1,024 pages; a fault that arrives just after
 * such a reply was written waits behind all of it (335 ms over a 100 Mbit/s
 * WAN). Capped, it waits behind at most 84 ms of it there.
 */
export const MAX_PUSH_PAGES = 256;

/** The hot window stretches to this many times the recent gap between two faults... */
const HOT_GAPS = 3;
/** ...but never past this: a workload that faults once a second is not "faulting". */
const HOT_WINDOW_MAX_MS = 300;

/**
 * How long after a fault background replies stay short. A workload faulting
 * page after page over a WAN asks for its next page one round trip after the
 * last arrived (23 ms on the testbed), longer than a fixed 10 ms window: the
 * window closed between every two faults, background replies grew to 4 MiB in
 * between, and each fault waited behind one. On the testbed a 256 MiB post-copy
 * then failed its check (every probe of 2 s timed out). The window follows the
 * recent gaps (an average of the last few), so it spans a round trip.
 */
export function hotWindow(baseMs: number, recentGapMs: number | undefined): number {
  if (recentGapMs === undefined) return baseMs;
  return Math.max(baseMs, Math.min(HOT_WINDOW_MAX_MS, HOT_GAPS * recentGapMs));
}

/** Folds one gap between two faults into the running average (gaps past the cap say nothing about a round trip). */
export function foldFaultGap(average: number | undefined, gapMs: number): number | undefined {
  if (gapMs > HOT_WINDOW_MAX_MS) return average;
  return average === undefined ? gapMs : average + (gapMs - average) / 4;
}

export interface PostcopyStats extends TrackerStats {
  requests: number;
  faultRequests: number;
  /** Page bytes plus headers written to the destination. */
  bytesServed: number;
  layout: Layout | null;
  /** ms from the first request to PS_IOV_CLOSE. */
  serveMs: number;
}

export interface PageServerOptions {
  /** Where pages come from; the server closes it when done. */
  source: PageSource;
  host: string;
  port?: number;
  /** A socket already listening (preListen), so its port could be told to the destination before the dump. */
  listener?: PreListened;
  /** Header layout; "auto" detects it from the first request. */
  layout?: Layout | "auto";
  /**
   * Caps background transfer (bytes/s), as a WAN link would; fault replies are
   * never held back. Omitted = as fast as the socket takes them.
   */
  pushBytesPerSec?: number;
  /**
   * While the workload faults (a fault within this many ms, or the first ms
   * after the first request), background replies stay FAULT_CUT_PAGES long:
   * a fault that arrives while a 4 MiB reply is on its way waits for all of
   * it, and a restored process's first answer takes a hundred faults or more.
   * Once faults pause, replies grow to what is asked. The window stretches to
   * span the recent gaps between faults (hotWindow()). 0 (default): off.
   */
  hotWindowMs?: number;
  /** The most pages one background reply carries; default MAX_PUSH_PAGES. */
  maxPushPages?: number;
  log?: (line: string) => void;
  /** Called once per reply sent: whether it answered a fault or the background fetch, and its pages (the agent's metrics). */
  onServed?: (kind: "fault" | "push", pages: number) => void;
}

export interface PageServer {
  host: string;
  port: number;
  stats(): PostcopyStats;
  /** Resolves when the daemon sends PS_IOV_CLOSE; rejects if it goes away first or the server is aborted. */
  done: Promise<PostcopyStats>;
  /** Stops listening and cuts every connection. */
  abort(reason?: string): Promise<void>;
}

export async function startPageServer(opts: PageServerOptions): Promise<PageServer> {
  const log = opts.log ?? (() => {});
  const source = opts.source;
  const tracker = new PageTracker(source.lazyRuns);
  const counters = { requests: 0, faultRequests: 0, bytesServed: 0, layout: null as Layout | null, first: 0, closedAt: 0 };
  const stats = (): PostcopyStats => ({
    ...tracker.snapshot(),
    requests: counters.requests,
    faultRequests: counters.faultRequests,
    bytesServed: counters.bytesServed,
    layout: counters.layout,
    serveMs: counters.first ? (counters.closedAt || Date.now()) - counters.first : 0,
  });

  let settle: { resolve: (s: PostcopyStats) => void; reject: (e: Error) => void } | undefined;
  const done = new Promise<PostcopyStats>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => {}); // callers that never await done must not crash the process
  let finished = false;
  const finish = (err: Error | null) => {
    if (finished) return;
    finished = true;
    counters.closedAt = Date.now();
    if (err) settle!.reject(err);
    else settle!.resolve(stats());
  };

  const sockets = new Set<Socket>();
  const onConnection = (sock: Socket) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    serveConnection(sock).catch((err: Error) => {
      log(`page server: ${err.message}`);
      sock.destroy();
      finish(err);
    });
  };
  const server: Server = opts.listener ? opts.listener.server : createServer();

  async function serveConnection(sock: Socket): Promise<void> {
    const reader = new HeaderReader(opts.layout ?? "auto");
    const queue: PsIov[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    let asked = false;
    sock.on("data", (chunk: Buffer) => {
      const got = reader.push(chunk);
      asked ||= got.length > 0;
      queue.push(...got);
      wake?.();
    });
    const onEnd = () => {
      ended = true;
      sockets.delete(sock);
      wake?.();
    };
    sock.on("close", onEnd);
    sock.on("error", onEnd);

    for (;;) {
      while (queue.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
      wake = null;
      const req = queue.shift();
      if (!req) {
        // A connection that never asked for anything (a probe) does not end the transfer.
        if (!asked) return;
        throw new Error(`lazy-pages client disconnected before PS_IOV_CLOSE (${tracker.remaining} pages never sent)`);
      }
      counters.layout ??= reader.detected;
      const cmd = psCommand(req.cmd);
      if (cmd === PS_IOV_CLOSE || cmd === PS_IOV_FORCE_CLOSE) {
        sock.end(encodeCloseStatus(0));
        log(`page server: PS_IOV_CLOSE, ${tracker.remaining} lazy pages unsent`);
        finish(null);
        return;
      }
      if (cmd !== PS_IOV_GET) throw new Error(`page server: unsupported command 0x${req.cmd.toString(16)}`);
      await answerGet(sock, req, reader.detected ?? "4.1", () => queue.some((q) => q.nrPages === 1));
    }
  }

  let pushAllowedAt = 0;
  let lastFaultAt = 0;
  let faultGapMs: number | undefined;
  const hot = () => !!opts.hotWindowMs && Date.now() - lastFaultAt < hotWindow(opts.hotWindowMs, faultGapMs);
  async function answerGet(sock: Socket, req: PsIov, layout: Layout, faultWaiting: () => boolean): Promise<void> {
    if (!counters.first) lastFaultAt = counters.first = Date.now();
    counters.requests++;
    const available = source.available(req.dstId, req.vaddr, req.nrPages);
    if (available === 0) throw new Error(`no pages for pid ${req.dstId} at 0x${req.vaddr.toString(16)} (+${req.nrPages})`);
    const kind = tracker.classify(req.dstId, req.vaddr, req.nrPages);
    if (kind === "fault") {
      counters.faultRequests++;
      const now = Date.now();
      if (counters.faultRequests > 1) faultGapMs = foldFaultGap(faultGapMs, now - lastFaultAt);
      lastFaultAt = now;
    }
    if (kind === "push" && opts.pushBytesPerSec) {
      // Pace background replies, but stop waiting the moment a fault queues up.
      while (Date.now() < pushAllowedAt && !faultWaiting()) await sleep(Math.min(5, pushAllowedAt - Date.now()));
    }
    const pushCap = faultWaiting() || hot() ? FAULT_CUT_PAGES : (opts.maxPushPages ?? MAX_PUSH_PAGES);
    const nrPages = kind === "push" ? Math.min(available, pushCap) : available;
    if (kind === "push" && opts.pushBytesPerSec)
      pushAllowedAt = Math.max(Date.now(), pushAllowedAt) + (nrPages * PAGE_SIZE * 1000) / opts.pushBytesPerSec;
    const header = encodeHeader({ cmd: PS_REPLY_PAGES, nrPages, vaddr: req.vaddr, dstId: req.dstId }, layout);
    const body = await source.read(req.dstId, req.vaddr, nrPages);
    tracker.markSent(req.dstId, req.vaddr, nrPages, kind);
    counters.bytesServed += header.length + body.length;
    opts.onServed?.(kind, nrPages);
    if (sock.destroyed) return; // the peer left while we read; the connection loop reports it
    sock.write(header);
    if (!sock.write(body) && !sock.destroyed) await drainedOrClosed(sock);
  }

  if (opts.listener)
    for (const sock of opts.listener.take(onConnection)) {
      onConnection(sock);
      sock.resume();
    }
  else {
    server.on("connection", onConnection);
    server.listen(opts.port ?? 0, opts.host);
    await once(server, "listening");
  }
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;

  const closeFiles = () => source.close();
  let listening = true;
  const stopListening = () =>
    new Promise<void>((r) => {
      if (!listening) return r();
      listening = false;
      server.close(() => r());
    });
  done.then(closeFiles, closeFiles).finally(stopListening);

  return {
    host: opts.host,
    port,
    stats,
    done,
    async abort(reason = "page server aborted") {
      finish(new Error(reason));
      for (const s of sockets) s.destroy();
      await stopListening();
      await closeFiles();
    },
  };
}

/**
 * Resolves at the socket's next drain or its close, leaving no listener behind (a race of two
 * events.once() left the loser's listeners on the socket at every full buffer: many under TLS).
 */
function drainedOrClosed(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sock.off("drain", done);
      sock.off("close", done);
      resolve();
    };
    sock.once("drain", done);
    sock.once("close", done);
  });
}

/** A page server's socket, listening before it has anything to serve; connections wait until startPageServer takes it. */
export interface PreListened {
  server: Server;
  host: string;
  port: number;
  /** Hands over the connections that came early and routes later ones to `handler`. */
  take(handler: (sock: Socket) => void): Socket[];
  close(): Promise<void>;
}

/**
 * Who may be served: with `token`, a connection that says the migration's token first (our relay),
 * over TLS with `tls` when given; with `clientFingerprint`, a TLS client (CRIU's own --tls) whose
 * certificate is that one, made for this migration.
 */
export interface PageServerGuard {
  token?: string;
  clientFingerprint?: string;
  tls?: { key: string; cert: string };
}

/**
 * Listens now, serves later: the destination's lazy-pages daemon can be
 * started with this address while the workload still runs (it connects
 * only once the restore hands it the tasks, after the dump). With a guard,
 * a connection reaches the page server only after it said the migration's
 * token (page-wire.ts); any other is cut before a page is read.
 */
export async function preListen(host: string, port = 0, guard?: PageServerGuard): Promise<PreListened> {
  const early: Socket[] = [];
  const park = (sock: Socket) => {
    sock.pause();
    early.push(sock);
  };
  let handler: (sock: Socket) => void = park;
  const admit = (sock: Socket) => {
    if (!guard) return handler(sock);
    sock.on("error", () => sock.destroy());
    if (guard.clientFingerprint !== undefined) {
      if ((sock as TLSSocket).getPeerCertificate?.()?.fingerprint256 !== guard.clientFingerprint) return sock.destroy();
      return handler(sock);
    }
    if (guard.token === undefined) return sock.destroy();
    void awaitToken(sock, guard.token, tokenMatches).then((ok) => {
      if (!ok) return sock.destroy();
      handler(sock);
      if (handler !== park) sock.resume();
    });
  };
  // A client certificate is asked for, not checked against a CA: it is compared with the one made for this migration.
  const tlsOptions = guard?.tls && { key: guard.tls.key, cert: guard.tls.cert, minVersion: "TLSv1.2" as const, ...(guard.clientFingerprint !== undefined && { requestCert: true, rejectUnauthorized: false }) };
  const server: Server = tlsOptions ? (createTlsServer(tlsOptions, admit) as unknown as Server) : createServer(admit);
  server.listen(port, host);
  await once(server, "listening");
  const addr = server.address();
  return {
    server,
    host,
    port: typeof addr === "object" && addr ? addr.port : 0,
    take(next) {
      handler = next;
      return early.splice(0);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
