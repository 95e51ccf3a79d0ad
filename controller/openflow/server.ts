// The OpenFlow listener: accepts switch connections, keeps the sessions whose
// handshake finished in the registry by datapath id, and runs one keepalive
// sweep for every connection, handshaking or not (an ECHO_REQUEST after
// `echoIntervalMs` of silence, a drop after `deadAfterMs`).
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { type AsyncMessage, type Log, SwitchConnection } from "./connection.js";
import type { RoleAsk } from "./role.js";
import { SwitchRegistry } from "./registry.js";
import type { SwitchSession } from "./session.js";

export interface OpenFlowServerEvents {
  /** A switch finished its handshake and set-up (or reconnected). */
  switchUp(session: SwitchSession): void;
  switchDown(session: SwitchSession, reason: string): void;
  message(session: SwitchSession, msg: AsyncMessage): void;
}

export interface OpenFlowServerOptions {
  port: number;
  host?: string;
  echoIntervalMs?: number;
  deadAfterMs?: number;
  log: Log;
  events: OpenFlowServerEvents;
  /** Every switch request waits this long for its answer (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * OpenFlow over TLS (OVS `ssl:IP:PORT` targets): this controller's key and certificate and the CA
   * switches' certificates must chain to; a switch without one is refused at the handshake.
   */
  tls?: { key: string; cert: string; ca: string };
  /** How long a live session has to answer an echo when another connection claims its datapath id (default 2 s). */
  claimProbeMs?: number;
  /** The role claimed from each new switch during its handshake (none: equal). */
  roleAsk?(): RoleAsk | undefined;
}

export class OpenFlowServer {
  readonly registry = new SwitchRegistry();
  private readonly server: Server;
  private readonly sockets = new Set<SwitchConnection>();
  private sweep: NodeJS.Timeout | undefined;
  private readonly connectionOf = new Map<SwitchSession, SwitchConnection>();

  constructor(private readonly opts: OpenFlowServerOptions) {
    const events = opts.events;
    const accept = (socket: Socket) => {
      // With TLS: the switch's certificate names it when its CN (or a DNS name) is the 16-digit datapath id.
      const certNames = opts.tls ? certificateNames(socket as TLSSocket) : [];
      const conn = new SwitchConnection(
        socket,
        {
          ready: (c) => {
            this.connectionOf.set(c, conn);
            const live = this.registry.get(c.dpid);
            // Claiming a connected datapath id is not enough to take its session: the live one is
            // asked first, and only one that no longer answers is replaced (or, with TLS, one whose
            // certificate names that switch).
            if (live && live !== c && !certNames.includes(c.dpid.toLowerCase())) void this.settleClaim(c, conn, live);
            else this.register(c);
          },
          message: (c, m) => events.message(c, m),
          closed: (c, reason) => {
            this.connectionOf.delete(c);
            if (this.registry.remove(c)) events.switchDown(c, reason);
          },
          roleAsk: () => opts.roleAsk?.(),
        },
        opts.log,
        opts.requestTimeoutMs,
      );
      this.sockets.add(conn);
      socket.once("close", () => this.sockets.delete(conn));
    };
    this.server = opts.tls
      ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" }, accept)
      : createServer(accept);
    // A client failing the TLS handshake (no certificate, another CA) is only logged.
    this.server.on("tlsClientError", (err: Error, sock: Socket) => opts.log("warn", `OpenFlow TLS: ${sock.remoteAddress ?? "?"}: ${err.message}`));
    this.server.on("error", (err) => opts.log("error", `OpenFlow listener: ${err.message}`));
  }

  private register(c: SwitchSession): void {
    const old = this.registry.add(c);
    if (old) {
      this.opts.log("info", `switch ${c.dpid} reconnected from ${c.remote}; dropping its old session (it no longer answered)`);
      old.close("replaced by a new session");
    }
    this.opts.events.switchUp(c);
  }

  /** A second connection says it is `live`'s switch: it takes over only if `live` fails an echo probe. */
  private async settleClaim(claimant: SwitchSession, claimantConn: SwitchConnection, live: SwitchSession): Promise<void> {
    const liveConn = this.connectionOf.get(live);
    const answers = liveConn ? await answersEcho(liveConn, this.opts.claimProbeMs ?? 2000) : false;
    if (claimantConn.closed) return;
    if (answers && this.registry.get(live.dpid) === live) {
      this.opts.log("warn", `a connection from ${claimant.remote} claims datapath id ${claimant.dpid}, whose session from ${live.remote} still answers: refused`);
      claimantConn.close(`datapath id ${claimant.dpid} is connected and answering`);
      return;
    }
    this.register(claimant);
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port, this.opts.host ?? "0.0.0.0", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const interval = this.opts.echoIntervalMs ?? 5000;
    const dead = this.opts.deadAfterMs ?? interval * 3;
    this.sweep = setInterval(() => this.keepalive(interval, dead), Math.max(100, Math.floor(interval / 2)));
    this.sweep.unref();
    const addr = this.server.address();
    return typeof addr === "object" && addr ? addr.port : this.opts.port;
  }

  private keepalive(interval: number, dead: number): void {
    const now = Date.now();
    for (const conn of this.sockets) {
      const silent = now - conn.lastHeard;
      if (silent > dead) {
        this.opts.log("warn", `switch ${conn.label} silent for ${silent} ms: dropping it`);
        conn.destroy("echo timeout");
      } else if (silent > interval && !conn.echoOutstanding) {
        conn.echoOutstanding = true;
        try {
          conn.send({ type: "echoRequest", xid: 0 });
        } catch {
          // closed meanwhile
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    for (const c of this.sockets) c.destroy("controller stopping");
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Whether `conn` answers an ECHO_REQUEST within `ms` (other traffic does not count: a hung switch may still flush); false once it closed. */
async function answersEcho(conn: SwitchConnection, ms: number): Promise<boolean> {
  const sentAt = Date.now();
  try {
    conn.send({ type: "echoRequest", xid: 0 });
  } catch {
    return false;
  }
  while (Date.now() - sentAt < ms) {
    if (conn.closed) return false;
    if (conn.lastEchoReplyAt >= sentAt) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** The names a switch's certificate gives: its subject CN and DNS alternative names, lower case. */
function certificateNames(socket: TLSSocket): string[] {
  const cert = socket.getPeerCertificate?.();
  if (!cert?.subject) return [];
  const cn = cert.subject.CN;
  const names = (Array.isArray(cn) ? cn : cn ? [cn] : []).map((n) => n.toLowerCase());
  for (const alt of (cert.subjectaltname ?? "").split(",")) {
    const m = /^\s*DNS:(.+)$/.exec(alt);
    if (m) names.push(m[1]!.trim().toLowerCase());
  }
  return names;
}
