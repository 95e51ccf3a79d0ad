// OVSDB client (RFC 7047) over ovsdb-server's unix socket or TCP: JSON-RPC
// requests with ids, replies to the server's "echo" probes, transactions
// that fail loudly, and row listings of the Open_vSwitch database.
//
// API:
//   const c = await OvsdbClient.connect("unix:/var/run/openvswitch/db.sock" | "tcp:127.0.0.1:6640")
//   c.transact(ops, db?) -> results (throws OvsdbError naming the failed op)
//   c.select(table, where?, columns?) -> rows;  c.echo();  c.listDbs()
//   c.listBridges() / c.listPorts() / c.listInterfaces() -> plain records
//   c.close()
import { connect as netConnect, type Socket } from "node:net";
import { mapValues, optionalInteger, setValues, uuidOf } from "./datum.js";
import { echoReply, encodeMessage, isRequest, isResponse, JsonStreamSplitter } from "./jsonrpc.js";

export const DEFAULT_OVSDB_TARGET = "unix:/var/run/openvswitch/db.sock";
export const OPEN_VSWITCH_DB = "Open_vSwitch";

/** One RFC 7047 §5.2 operation; kept loose since each op has its own members. */
export type OvsdbOp = { op: string; table?: string; [key: string]: unknown };
export type Condition = [string, string, unknown];

export class OvsdbError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "OvsdbError";
  }
}

export interface BridgeRow {
  uuid: string;
  name: string;
  datapathType: string;
  /** 16 hex digits once vswitchd has created the bridge, else null. */
  datapathId: string | null;
  ports: string[];
  protocols: string[];
}
export interface PortRow {
  uuid: string;
  name: string;
  interfaces: string[];
}
export interface InterfaceRow {
  uuid: string;
  name: string;
  type: string;
  ofport: number | null;
  options: Record<string, string>;
  error: string | null;
}

/** Parses "unix:PATH", "tcp:HOST:PORT" or a bare socket path. */
export function parseTarget(target: string): { path: string } | { host: string; port: number } {
  if (target.startsWith("unix:")) return { path: target.slice(5) };
  if (target.startsWith("tcp:")) {
    const rest = target.slice(4);
    const i = rest.lastIndexOf(":");
    const port = Number(rest.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad OVSDB target '${target}': expected tcp:HOST:PORT`);
    return { host: rest.slice(0, i).replace(/^\[|\]$/g, ""), port };
  }
  if (target.startsWith("/")) return { path: target };
  throw new Error(`bad OVSDB target '${target}': expected unix:PATH or tcp:HOST:PORT`);
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class OvsdbClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new JsonStreamSplitter();
  private closedError: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () => this.fail(new OvsdbError("OVSDB connection closed")));
  }

  static connect(target = DEFAULT_OVSDB_TARGET, opts: { timeoutMs?: number } = {}): Promise<OvsdbClient> {
    const where = parseTarget(target);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = "path" in where ? netConnect(where.path) : netConnect(where.port, where.host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new OvsdbError(`OVSDB ${target}: connect timed out`));
      }, timeoutMs);
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new OvsdbError(`OVSDB ${target}: ${err.message}`));
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new OvsdbClient(socket, timeoutMs));
      });
    });
  }

  /** Sends a JSON-RPC request and resolves with its result; rejects with the server's error. */
  request(method: string, params: unknown[]): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new OvsdbError(`OVSDB ${method}: no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(encodeMessage({ method, params, id }));
    });
  }

  echo(): Promise<unknown> {
    return this.request("echo", []);
  }

  async listDbs(): Promise<string[]> {
    return (await this.request("list_dbs", [])) as string[];
  }

  /** Runs ops atomically; throws OvsdbError when any op (or the commit) failed. */
  async transact(ops: OvsdbOp[], db = OPEN_VSWITCH_DB): Promise<Record<string, unknown>[]> {
    const results = (await this.request("transact", [db, ...ops])) as (Record<string, unknown> | null)[];
    results.forEach((r, i) => {
      if (r && typeof r.error === "string") {
        const which = i < ops.length ? `op ${i} (${ops[i]!.op} ${ops[i]!.table ?? ""})`.trim() : "commit";
        throw new OvsdbError(`OVSDB transact failed at ${which}: ${r.error}${r.details ? `: ${String(r.details)}` : ""}`, r);
      }
    });
    return results.map((r) => r ?? {});
  }

  async select(table: string, where: Condition[] = [], columns?: string[]): Promise<Record<string, unknown>[]> {
    const op: OvsdbOp = { op: "select", table, where };
    if (columns) op.columns = columns;
    const [result] = await this.transact([op]);
    return (result?.rows as Record<string, unknown>[]) ?? [];
  }

  async listBridges(): Promise<BridgeRow[]> {
    const rows = await this.select("Bridge", [], ["_uuid", "name", "datapath_type", "datapath_id", "ports", "protocols"]);
    return rows.map((r) => ({
      uuid: uuidOf(r._uuid) ?? "",
      name: String(r.name),
      datapathType: String(r.datapath_type),
      datapathId: typeof r.datapath_id === "string" ? r.datapath_id : null,
      ports: setValues(r.ports).map(uuidOf).filter((u): u is string => u !== null),
      protocols: setValues(r.protocols).map(String),
    }));
  }

  async listPorts(): Promise<PortRow[]> {
    const rows = await this.select("Port", [], ["_uuid", "name", "interfaces"]);
    return rows.map((r) => ({
      uuid: uuidOf(r._uuid) ?? "",
      name: String(r.name),
      interfaces: setValues(r.interfaces).map(uuidOf).filter((u): u is string => u !== null),
    }));
  }

  async listInterfaces(where: Condition[] = []): Promise<InterfaceRow[]> {
    const rows = await this.select("Interface", where, ["_uuid", "name", "type", "ofport", "options", "error"]);
    return rows.map((r) => {
      const err = setValues(r.error);
      return {
        uuid: uuidOf(r._uuid) ?? "",
        name: String(r.name),
        type: String(r.type),
        ofport: optionalInteger(r.ofport),
        options: mapValues(r.options),
        error: err.length === 1 && typeof err[0] === "string" ? err[0] : null,
      };
    });
  }

  close(): void {
    this.fail(new OvsdbError("OVSDB client closed"));
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.splitter.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      this.socket.destroy();
      return;
    }
    for (const m of messages) {
      if (isRequest(m)) {
        // The server probes idle clients with "echo" and drops those that do not answer.
        if (m.method === "echo") this.socket.write(encodeMessage(echoReply(m)));
        continue; // notifications ("update", "locked") are not used by this client
      }
      if (!isResponse(m) || typeof m.id !== "number") continue;
      const p = this.pending.get(m.id);
      if (!p) continue;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== null && m.error !== undefined) p.reject(new OvsdbError(`OVSDB error: ${JSON.stringify(m.error)}`, m.error));
      else p.resolve(m.result);
    }
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}
