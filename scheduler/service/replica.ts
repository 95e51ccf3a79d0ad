// One scheduler of several on one etcd (`--store etcd://...`): it campaigns
// in the election "scheduler" with its advertised URL (src/etcd/leadership.ts)
// and serves one HTTP listener whose requests go to the app of its role:
//
// - leading: a scheduler app built for the term (state and migration records
//   loaded from etcd as at a restart, every move in flight recovered from its
//   FSM state, then the loops run), over stores whose every transaction is
//   fenced by the term (src/etcd/keyed-records.ts);
// - standby (and at once when deposed): the standby app (standby-app.ts),
//   which answers 503 NOT_LEADER with the leader's URL.
//
// A deposed leader's app is closed (its loops stop; its late writes fail on
// the fence); a fenced-out write makes the process step down, never crash,
// and so does a write etcd did not confirm (no quorum): what the term holds in
// memory may then differ from etcd, and the next term reads etcd again.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Etcd3 } from "etcd3";
import type { FastifyInstance } from "fastify";
import type { LeadershipView } from "../../src/api-types/scheduler.js";
import type { FencedOut, WriteGuard, WriteUnsettled } from "../../src/etcd/keyed-records.js";
import { joinElection, type Leadership } from "../../src/etcd/leadership.js";
import { errorBody } from "../../src/http/error-schema.js";
import { NOT_LEADER_RETRY_AFTER_S, notLeader } from "../../src/http/not-leader.js";
import { httpsOptions, type ServiceSecurity } from "../../src/http/service-security.js";
import type { ServiceLog } from "../../src/logs/service-log.js";
import { buildStandbyApp } from "./standby-app.js";

export const SCHEDULER_ELECTION = "scheduler";

export interface ReplicaOptions {
  client: Etcd3;
  log: ServiceLog;
  security?: ServiceSecurity;
  /** Lease TTL, s: how long a dead leader keeps the lead (default 2). */
  ttlS?: number;
  /** Each bound on a fenced transaction, ms (default 5000): no quorum answers a 503 in time, not a hang. */
  writeTimeoutMs?: number;
  /** Role changes, for the CLI to print. */
  onLine?(line: string): void;
  /** The leader's app for one term: its stores carry `guard`; GET /v1/leadership answers `leadership`. */
  buildLeader(term: { guard: WriteGuard; leadership: () => LeadershipView }): Promise<FastifyInstance>;
}

export class SchedulerReplica {
  readonly server: Server;
  private active: FastifyInstance | undefined;
  private election: Leadership | undefined;
  private self: string | null = null;
  private closed = false;
  /** Bumped at each election and deposition: a take-over that outlived its term is dropped. */
  private generation = 0;

  private constructor(
    private readonly opts: ReplicaOptions,
    private readonly standby: FastifyInstance,
  ) {
    const https = httpsOptions(opts.security).https;
    const handler = (req: IncomingMessage, res: ServerResponse) => (this.active ?? this.standby).routing(req, res);
    this.server = https ? (createHttpsServer(https, handler) as unknown as Server) : createHttpServer(handler);
    this.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  static async create(opts: ReplicaOptions): Promise<SchedulerReplica> {
    let replica: SchedulerReplica | undefined;
    const standby = await buildStandbyApp({ view: () => replica!.view(), log: opts.log, ...(opts.security ? { security: opts.security } : {}) });
    replica = new SchedulerReplica(opts, standby);
    return replica;
  }

  view(): LeadershipView {
    const leading = this.active !== undefined && this.election?.isLeader() === true;
    const observed = this.election?.leader() ?? null;
    return {
      role: leading ? "leader" : "standby",
      store: "etcd",
      // A standby that still sees itself named (its lease not yet expired everywhere) knows no leader.
      leader: leading ? this.self : observed === this.self ? null : observed,
      term: leading ? String(this.election!.term()) : null,
      self: this.self,
    };
  }

  /** Listens; answers the port. Requests get 503 NOT_LEADER until `join` wins an election. */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const addr = this.server.address();
    return typeof addr === "object" && addr ? addr.port : port;
  }

  /** Campaigns with `self`, the URL clients are sent to while this one leads. */
  async join(self: string): Promise<void> {
    this.self = self;
    const election = await joinElection(this.opts.client, SCHEDULER_ELECTION, self, {
      ttlS: this.opts.ttlS ?? 2,
      onError: (err) => this.line(`election: ${err.message}`),
    });
    this.election = election;
    election.on("elected", (term) => void this.takeOver(term));
    election.on("deposed", (reason) => this.stepDown(reason));
    election.on("leader", (value) => this.line(`leader now ${value ?? "none"}`));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    const app = this.active;
    this.active = undefined;
    // Resign first: a standby takes over at once, while this app stops. Bounded: etcd may be gone (the lease then runs out).
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.election?.close(), new Promise<void>((resolve) => (bound = setTimeout(resolve, 3_000)))]);
    clearTimeout(bound);
    await app?.close().catch(() => undefined);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await this.standby.close();
  }

  private async takeOver(term: bigint): Promise<void> {
    const gen = ++this.generation;
    const fence = this.election?.fence();
    const started = Date.now();
    this.line(`elected in term ${term}: loading state and migrations from etcd`);
    const guard: WriteGuard = {
      // Bound to this term: after it, the old app's writes are refused without asking etcd.
      fence: () => (gen === this.generation ? fence : undefined),
      timeoutMs: this.opts.writeTimeoutMs ?? 5_000,
      onFenced: (err: FencedOut) => {
        if (gen !== this.generation) return;
        this.line(`a write was fenced out (${err.message}): stepping down`);
        void this.election?.stepDown(`write fenced out in term ${term}`);
      },
      onUnsettled: (err: WriteUnsettled) => {
        if (gen !== this.generation) return;
        this.line(`a write was not confirmed (${err.reason}): stepping down, the next term reads what etcd holds`);
        void this.election?.stepDown(`write unconfirmed in term ${term}`);
      },
    };
    let app: FastifyInstance;
    try {
      app = await this.opts.buildLeader({ guard, leadership: () => this.view() });
      await app.ready();
    } catch (err) {
      if (gen !== this.generation) return;
      this.line(`cannot take over in term ${term}: ${(err as Error).message}; stepping down`);
      await this.election?.stepDown("take-over failed");
      return;
    }
    if (gen !== this.generation || this.closed || !this.election?.isLeader()) {
      await app.close().catch(() => undefined);
      return;
    }
    this.active = app;
    this.line(`leading in term ${term} (${this.self}): took over in ${Date.now() - started} ms`);
  }

  private stepDown(reason: string): void {
    this.generation++;
    const app = this.active;
    this.active = undefined;
    this.line(`standby: ${reason}`);
    // Requests already go to the standby app; the old term's loops stop in the background.
    void app?.close().catch((err: Error) => this.line(`closing the deposed term: ${err.message}`));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.active) {
      this.active.server.emit("upgrade", req, socket, head);
      return;
    }
    const body = JSON.stringify(errorBody(notLeader("scheduler", this.view().leader ?? undefined)));
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: ${NOT_LEADER_RETRY_AFTER_S}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  private line(text: string): void {
    this.opts.onLine?.(text);
  }
}
