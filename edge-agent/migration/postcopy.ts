// Post-copy as a MigrationStrategy (source side) and a DestinationHook
// (destination side) for the agent's migration runner.
//
// Source: dump (CRIU's lazy dump where available), send the reduced images,
// ask the destination to restore with the "postcopy" hook, measure downtime,
// then serve pages until the destination has all of them. migrateSource
// resolves only then, with the final fault/push counts. The frozen source
// tree outlives the transfer: it goes at commit (release), or runs again on
// rollback (resumeSource), which works before and after the resume.
// The mechanics (dumps, image codecs, page server, lazy restore) are in
// edge-agent/postcopy/, which knows nothing of strategies.
import { createSocket } from "node:dgram";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { awaitAllPages, restorePostcopy } from "../postcopy/destination.js";
import { type PostcopySource, startPostcopySource, warmPostcopySource } from "../postcopy/source.js";
import { preListen } from "../postcopy/page-server.js";
import { ephemeralCertificate, type PageRelay, startPageRelay } from "../transfer/page-wire.js";
import { type PreparedRestore, prepareRestore } from "../postcopy/prepared-restore.js";
import type { RestoredTree } from "../runtime/types.js";
import { resumeTree, type TreeSource } from "./stopcopy.js";
import type {
  Availability,
  Capabilities,
  DestinationContext,
  DestinationHook,
  MigrationContext,
  MigrationResult,
  MigrationStrategy,
  PageWire,
} from "./strategy.js";

export const POSTCOPY_HOOK = "postcopy";

export function postcopyAvailable(caps: Capabilities): Availability {
  if (!caps.criu.present) return { ok: false, reason: "criu is not installed" };
  if (!caps.criu.checkOk) return { ok: false, reason: `criu check fails${caps.criu.error ? `: ${caps.criu.error}` : ""}` };
  const f = caps.criu.features;
  if (f["uffd-noncoop"] === false || f.uffd === false) return { ok: false, reason: "the kernel lacks userfaultfd (criu check --feature uffd-noncoop)" };
  return { ok: true };
}

/** The address of ours the destination reaches us on: the source of a route towards it (no packet is sent). */
export async function localAddressTowards(url: string): Promise<string> {
  const { hostname } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  const sock = createSocket(host.includes(":") ? "udp6" : "udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      sock.connect(9, host, () => resolve());
    });
    return sock.address().address;
  } finally {
    sock.close();
  }
}

/**
 * The page server's socket and what the destination needs to reach it. With CRIU's own TLS ("tls"): a
 * certificate for the server (naming its address, as CRIU checks) and one for the lazy-pages daemon,
 * both made for this migration; the daemon's key goes to the destination with the restore call, which
 * carries the migration's token, and the server serves only that certificate. Otherwise the token
 * opens the stream through the destination's relay, over TLS pinned by fingerprint unless "tcp".
 * An older destination (no token): plain, as before.
 */
async function guardedPageServer(listenHost: string, token: string | undefined, wire: PageWire) {
  if (!token) {
    const listener = await preListen(listenHost);
    return { listener, pageServer: { pageServerHost: listener.host, pageServerPort: listener.port } };
  }
  if (wire === "tls") {
    const [server, daemon] = await Promise.all([ephemeralCertificate({ ip: listenHost }), ephemeralCertificate({ cn: "fleximigrate-lazy-pages" })]);
    const listener = await preListen(listenHost, 0, { clientFingerprint: daemon.fingerprint, tls: server });
    return {
      listener,
      pageServer: { pageServerHost: listener.host, pageServerPort: listener.port, pageServerCert: server.cert, lazyPagesCert: daemon.cert, lazyPagesKey: daemon.key },
    };
  }
  const cert = wire === "relay" ? await ephemeralCertificate() : undefined;
  const listener = await preListen(listenHost, 0, { token, ...(cert && { tls: cert }) });
  return { listener, pageServer: { pageServerHost: listener.host, pageServerPort: listener.port, ...(cert && { pageServerFingerprint: cert.fingerprint }) } };
}

/** Each running post-copy's source, until commit (release) or rollback: it holds the frozen tree. */
const sources = new Map<string, PostcopySource>();

export const postcopyStrategy: MigrationStrategy<TreeSource> = {
  name: "postcopy",
  available: postcopyAvailable,

  async migrateSource(ctx: MigrationContext<TreeSource>): Promise<MigrationResult> {
    const pid = ctx.workload.pid;
    if (!pid) throw new Error("post-copy needs the direct runtime (Docker's checkpoint API has no lazy pages)");
    const listenHost = await localAddressTowards(ctx.destination.url);
    const net = ctx.workload.network;
    // Before the freeze: what the dump asks of CRIU, the page server's socket, and the destination's
    // lazy-pages daemon and restore started against it (they wait for the images).
    await warmPostcopySource();
    // Only the destination that opened this migration is served (its token first), over TLS with a
    // certificate made for this migration alone, which the destination pins (page-wire.ts).
    const { listener, pageServer } = await guardedPageServer(listenHost, ctx.peer.token(), ctx.pageWire ?? "relay");
    let decidedAt: number;
    try {
      if (ctx.destination.prepare && !(await ctx.destination.prepare(POSTCOPY_HOOK, pageServer))) ctx.log("post-copy: the destination restores unprepared");
      ctx.emit({ phase: "dumping" });
      await ctx.probe.quiesceSource();
      decidedAt = Date.now();
    } catch (err) {
      await listener.close();
      throw err;
    }
    // A network workload is fenced (its port down) by CRIU's pre-dump script, right before the
    // freeze: no frame reaches the tree from then on, so the lazy dump may lift CRIU's network lock
    // early (lazy-dump.ts). A failed dump opens the port again (resumeSource).
    const fence = net && { port: net.port, agentNetns: `/proc/${process.pid}/ns/net` };
    const src = await startPostcopySource({ pid, workDir: join(ctx.workDir, "postcopy"), listenHost, listener, log: ctx.log, onServed: ctx.countPages, netns: net?.namespace, fence, onFenced: (at) => ctx.fenced?.(at), holdUntilRelease: true });
    // Held until commit or rollback, whatever happens below: the frozen tree is the workload's fallback.
    sources.set(ctx.migrationId, src);
    // Freeze: the decision until the tasks froze (the workload ran meanwhile); dump: frozen until the images were written.
    ctx.timing?.({ freezeMs: src.frozenAt - decidedAt, dumpMs: Date.now() - src.frozenAt });
    ctx.probe.frozeAt?.(src.frozenAt);
    ctx.log(`post-copy: ${src.dumpMode} (${src.dumpModeReason}), frozen ${src.dumpMs} ms, ${src.reducedBytes} bytes to resume, ${src.lazyPages} lazy pages`);
    ctx.emit({ phase: "transferring", totalBytes: src.reducedBytes });
    await ctx.sendFiles(src.reducedImagesDir, src.files.map((f) => f.name), { phase: "before-resume" });
    ctx.signal.throwIfAborted();
    ctx.emit({ phase: "restoring" });
    const restored = await ctx.destination.restore(POSTCOPY_HOOK, pageServer);
    ctx.emit({ phase: "verifying" });
    const downtimeMs = await ctx.probe.waitForDestination();
    // A failure from here on rolls back through resumeSource: the source copy runs again before the
    // destination's is dropped (never zero copies).
    const stats = await servePages(ctx, src);
    ctx.countBytes("after-resume", stats.bytesServed);
    return { strategy: "postcopy", downtimeMs, pagesOnFault: stats.pagesOnFault, pagesPushed: stats.pagesPushed, destinationWorkloadId: restored.workloadId };
  },

  async resumeSource(ctx: MigrationContext<TreeSource>): Promise<void> {
    const src = sources.get(ctx.migrationId);
    sources.delete(ctx.migrationId);
    if (!src) return resumeTree(ctx); // failed before its dump: nothing frozen, the tree runs
    if (ctx.workload.network && src.fullImagesDir) {
      // Its TCP sockets come back through CRIU, from the full dump, in its own namespace.
      await src.stopServing("migration rolled back");
      await resumeTree(ctx, src.fullImagesDir);
      await src.discard();
      return;
    }
    if (!(await src.rollback())) throw new Error(`the frozen tree of ${ctx.workload.id} could not be resumed here`);
    if (ctx.workload.network) await ctx.runtime.openNetwork(ctx.workload.network);
  },

  async release(ctx: MigrationContext<TreeSource>): Promise<void> {
    const src = sources.get(ctx.migrationId);
    sources.delete(ctx.migrationId);
    await src?.release();
  },
};

async function servePages(ctx: MigrationContext<TreeSource>, src: PostcopySource) {
  const tick = setInterval(() => {
    const s = src.stats();
    ctx.emit({ phase: "serving-pages", pagesOnFault: s.pagesOnFault, pagesPushed: s.pagesPushed, bytes: s.bytesServed, totalBytes: s.pagesTotal * 4096 });
  }, 250);
  // A rollback asked meanwhile (POST .../rollback) ends the wait; the runner then resumes the source.
  const aborted = new Promise<never>((_, reject) => {
    const stop = () => reject(new Error(String(ctx.signal.reason ?? "aborted")));
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener("abort", stop, { once: true });
  });
  aborted.catch(() => {});
  try {
    return await Promise.race([src.done, aborted]);
  } finally {
    clearInterval(tick);
  }
}

function pageServerOf(ctx: DestinationContext<unknown>): { pageServerHost: string; pageServerPort: number; fingerprint?: string } {
  const host = ctx.params.pageServerHost;
  const port = ctx.params.pageServerPort;
  const fingerprint = ctx.params.pageServerFingerprint;
  if (typeof host !== "string" || typeof port !== "number") throw new Error("postcopy restore needs pageServerHost and pageServerPort");
  if (fingerprint !== undefined && typeof fingerprint !== "string") throw new Error("pageServerFingerprint must be a string");
  return { pageServerHost: host, pageServerPort: port, ...(fingerprint && { fingerprint }) };
}

/** Each migration's relay on this destination, from prepare (or restore) until all pages arrived or the migration ended. */
const relays = new Map<string, Promise<PageRelay>>();

/**
 * Where the lazy-pages daemon connects: with a token, a loopback relay that carries its stream to the
 * source's page server over the migration's wire (TLS pinned, token first); without (an older source), the source itself.
 */
async function lazyPagesTarget(ctx: DestinationContext<unknown>): Promise<{ pageServerHost: string; pageServerPort: number; lazyPagesArgs?: string[] }> {
  const ps = pageServerOf(ctx);
  const { pageServerCert, lazyPagesCert, lazyPagesKey } = ctx.params;
  if (typeof pageServerCert === "string" && typeof lazyPagesCert === "string" && typeof lazyPagesKey === "string") {
    // CRIU's own TLS: it trusts only the source's certificate and shows the one made for it; files in the 0700 images folder.
    const dir = join(ctx.imagesDir, "wire-tls");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = (name: string) => join(dir, name);
    await writeFile(file("server.pem"), pageServerCert, { mode: 0o600 });
    await writeFile(file("daemon.pem"), lazyPagesCert, { mode: 0o600 });
    await writeFile(file("daemon.key"), lazyPagesKey, { mode: 0o600 });
    return { pageServerHost: ps.pageServerHost, pageServerPort: ps.pageServerPort, lazyPagesArgs: ["--tls", "--tls-cacert", file("server.pem"), "--tls-cert", file("daemon.pem"), "--tls-key", file("daemon.key")] };
  }
  if (!ctx.token) return { pageServerHost: ps.pageServerHost, pageServerPort: ps.pageServerPort };
  let relay = relays.get(ctx.migrationId);
  if (!relay) {
    relay = startPageRelay({ host: ps.pageServerHost, port: ps.pageServerPort, token: ctx.token, fingerprint: ps.fingerprint, log: ctx.log });
    relays.set(ctx.migrationId, relay);
  }
  const r = await relay;
  return { pageServerHost: r.host, pageServerPort: r.port };
}

async function closeRelay(migrationId: string): Promise<void> {
  const relay = relays.get(migrationId);
  relays.delete(migrationId);
  await (await relay?.catch(() => undefined))?.close();
}

/** Destination side: lazy-pages daemon against the source's page server, then a lazy restore (no runtime needed). */
export const postcopyDestinationHook: DestinationHook<unknown> = {
  name: POSTCOPY_HOOK,
  /** Both CRIU processes started before the freeze, waiting for the images (prepared-restore.ts). */
  async prepare(ctx) {
    const prepared = await prepareRestore({ imagesDir: ctx.imagesDir, ...(await lazyPagesTarget(ctx)), netns: ctx.netns });
    const cancel = prepared.cancel.bind(prepared);
    return Object.assign(prepared, { cancel: () => cancel().finally(() => closeRelay(ctx.migrationId)) });
  },
  async restore(ctx: DestinationContext<unknown>): Promise<RestoredTree> {
    const prepared = ctx.prepared as PreparedRestore | undefined;
    const restored = await (prepared ? prepared.go(ctx.signal) : lazyPagesTarget(ctx).then((target) => restorePostcopy({ imagesDir: ctx.imagesDir, ...target, netns: ctx.netns, signal: ctx.signal }))).catch(
      async (err: Error) => {
        await closeRelay(ctx.migrationId);
        throw err;
      },
    );
    ctx.log(`post-copy: restored pid ${restored.pid} in ${restored.restoreMs} ms; pages follow`);
    const settled = awaitAllPages(restored).then((outcome) => {
      if (!outcome.ok) {
        ctx.log(outcome.reason);
        throw new Error(outcome.reason);
      }
      ctx.log("post-copy: all pages arrived");
    });
    settled.catch(() => {}); // reported through the log and to whoever awaits it
    // The relay lives as long as the page stream: once every page arrived (or none will), it goes.
    void settled.catch(() => {}).finally(() => closeRelay(ctx.migrationId));
    return { pid: restored.pid, settled, timings: { lazyReadyMs: restored.lazyReadyMs, criuRestoreMs: restored.restoreMs } };
  },
};
