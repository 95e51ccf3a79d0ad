// The OpenFlow listener: accepts switch connections, keeps the sessions whose
// handshake finished in the registry by datapath id, and runs one keepalive
// sweep for every connection, handshaking or not (an ECHO_REQUEST after
// `echoIntervalMs` of silence, a drop after `deadAfterMs`).
import { createServer, type Server } from "node:net";
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
  /** The role claimed from each new switch during its handshake (none: equal). */
  roleAsk?(): RoleAsk | undefined;
}

export class OpenFlowServer {
  readonly registry = new SwitchRegistry();
  private readonly server: Server;
  private readonly sockets = new Set<SwitchConnection>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly opts: OpenFlowServerOptions) {
    const events = opts.events;
    this.server = createServer((socket) => {
      const conn = new SwitchConnection(
        socket,
        {
          ready: (c) => {
            const old = this.registry.add(c);
            if (old) {
              opts.log("info", `switch ${c.dpid} reconnected from ${c.remote}; dropping its old session`);
              old.close("replaced by a new session");
            }
            events.switchUp(c);
          },
          message: (c, m) => events.message(c, m),
          closed: (c, reason) => {
            if (this.registry.remove(c)) events.switchDown(c, reason);
          },
          roleAsk: () => opts.roleAsk?.(),
        },
        opts.log,
        opts.requestTimeoutMs,
      );
      this.sockets.add(conn);
      socket.once("close", () => this.sockets.delete(conn));
    });
    this.server.on("error", (err) => opts.log("error", `OpenFlow listener: ${err.message}`));
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
