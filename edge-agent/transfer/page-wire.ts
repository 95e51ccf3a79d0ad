// The wire between a source's page server and the destination's lazy-pages
// daemon: TLS with a per-migration, self-signed certificate the destination
// pins by its SHA-256 fingerprint (it learns it with the page server's
// address, from the source that opened the migration), and the migration's
// one-time token as the first bytes, so only that migration's destination is
// served. CRIU's lazy-pages daemon speaks plain TCP to a relay on its own
// host (startPageRelay), which carries its bytes over this wire.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createHash, timingSafeEqual, X509Certificate } from "node:crypto";
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { promisify } from "node:util";

/** "FMPS1 " + the 43-character token + "\n". */
const PREAMBLE_PREFIX = "FMPS1 ";
export const PREAMBLE_BYTES = PREAMBLE_PREFIX.length + 43 + 1;
/** A connection that has not said its token by then is cut. */
const PREAMBLE_TIMEOUT_MS = 10_000;

export interface WireCertificate {
  key: string;
  cert: string;
  /** SHA-256 of the DER certificate, as node:tls prints it (AA:BB:...). */
  fingerprint: string;
}

/**
 * A fresh P-256 key and a one-day self-signed certificate (openssl) for `cn`, naming `ip` too when
 * given (CRIU's GnuTLS checks the page server's address against it); the files live only in a 0700
 * folder removed at once.
 */
export async function ephemeralCertificate(opts: { cn?: string; ip?: string } = {}): Promise<WireCertificate> {
  const dir = await mkdtemp(path.join(tmpdir(), "fm-wire-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    const san = opts.ip ? ["-addext", `subjectAltName=IP:${opts.ip}`] : [];
    await promisify(execFile)(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-subj", `/CN=${opts.cn ?? "fleximigrate-page-server"}`, "-days", "1", ...san],
      { timeout: 10_000 },
    );
    const pem = await readFile(cert, "utf8");
    return { key: await readFile(key, "utf8"), cert: pem, fingerprint: new X509Certificate(pem).fingerprint256 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether `given` is `expected`, in time that does not depend on where they differ. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (typeof given !== "string") return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

export function preamble(token: string): Buffer {
  return Buffer.from(`${PREAMBLE_PREFIX}${token}\n`, "ascii");
}

/**
 * Reads the first PREAMBLE_BYTES of `sock`: resolves true when they carry
 * `token` (whatever followed is put back for the next reader, the socket
 * left paused), false when they do not, the peer left or it took too long.
 */
export function awaitToken(sock: Socket, token: string, check: (expected: string, given: string) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.off("data", onData);
      sock.off("close", onClose);
      resolve(ok);
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < PREAMBLE_BYTES) return;
      sock.pause();
      const head = got.subarray(0, PREAMBLE_BYTES).toString("latin1");
      const rest = got.subarray(PREAMBLE_BYTES);
      if (rest.length) sock.unshift(rest);
      const given = head.startsWith(PREAMBLE_PREFIX) && head.endsWith("\n") ? head.slice(PREAMBLE_PREFIX.length, -1) : "";
      done(check(token, given));
    };
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), PREAMBLE_TIMEOUT_MS);
    sock.on("data", onData);
    sock.once("close", onClose);
  });
}

export interface PageRelayOptions {
  /** The source's page server. */
  host: string;
  port: number;
  token: string;
  /** The page server's certificate fingerprint: TLS, pinned; absent: plain TCP (still with the token). */
  fingerprint?: string;
  log?: (line: string) => void;
}

export interface PageRelay {
  /** Where the lazy-pages daemon connects (loopback). */
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on loopback for the lazy-pages daemon; each connection goes on to
 * the source's page server over TLS (certificate pinned), token first.
 */
export async function startPageRelay(opts: PageRelayOptions): Promise<PageRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((local) => {
    sockets.add(local);
    local.setNoDelay(true);
    local.pause();
    const remote = connectSource(opts);
    sockets.add(remote);
    const cut = (why?: Error) => {
      if (why) opts.log?.(`page relay: ${why.message}`);
      local.destroy();
      remote.destroy();
      sockets.delete(local);
      sockets.delete(remote);
    };
    remote.once(opts.fingerprint ? "secureConnect" : "connect", () => {
      if (opts.fingerprint) {
        const seen = (remote as TLSSocket).getPeerCertificate().fingerprint256;
        if (seen !== opts.fingerprint) return cut(new Error(`the page server's certificate ${seen} is not the pinned ${opts.fingerprint}`));
      }
      remote.setNoDelay(true);
      remote.write(preamble(opts.token));
      local.pipe(remote);
      remote.pipe(local);
      local.resume();
    });
    local.on("error", cut);
    remote.on("error", cut);
    local.on("close", () => cut());
    remote.on("close", () => cut());
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const addr = server.address();
  return {
    host: "127.0.0.1",
    port: typeof addr === "object" && addr ? addr.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function connectSource(opts: PageRelayOptions): Socket {
  if (!opts.fingerprint) return netConnect(opts.port, opts.host);
  // Self-signed: no CA to trust, so the pinned fingerprint is the check (made on secureConnect, before any byte is sent).
  return tlsConnect({ host: opts.host, port: opts.port, rejectUnauthorized: false, minVersion: "TLSv1.3" });
}
