// A device's one HTTP/1.1 keep-alive connection to its workload: requests go
// one after another on the same socket. A request that fails is reported with
// why (reset, timeout, HTTP status, no connection) and never retried; only the
// next request opens a new connection if the old one is gone (counted).
import { Agent, request } from "node:http";
import type { ErrorKind } from "./stats.js";

/** `processingMs`: the workload's own time for the request, when its JSON answer says. */
export type Answer = { ok: true; status: number; bytes: number; processingMs?: number } | { ok: false; kind: ErrorKind; detail: string };

/** Answers longer than this are not read for processingMs (the workload's answer is a small JSON). */
const MAX_PARSED_BYTES = 16 * 1024;

/** The `processingMs` of a JSON answer, when it has a usable one. */
export function processingMsOf(body: string): number | undefined {
  try {
    const v = (JSON.parse(body) as { processingMs?: unknown } | null)?.processingMs;
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

class RequestTimeout extends Error {}

/** Which kind of failure a socket error is. */
export function errorKind(err: unknown): ErrorKind {
  if (err instanceof RequestTimeout) return "timeout";
  const code = (err as { code?: string }).code ?? "";
  if (RESET_CODES.has(code) || /socket hang up/i.test((err as Error).message ?? "")) return "reset";
  return "connect";
}

export class KeepAliveConnection {
  // keepAliveMsecs: TCP keep-alive probes start after this idle time; Node's 1 s default drops a
  // connection whose service is frozen for more than ~11 s (a long stop-and-copy) with ETIMEDOUT.
  private readonly agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000, maxSockets: 1, maxFreeSockets: 1 });
  /** Sockets opened so far: 1 while the connection held. */
  connections = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  get(path: string): Promise<Answer> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (a: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(a);
      };
      const req = request({ host: this.host, port: this.port, path, method: "GET", agent: this.agent }, (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes <= MAX_PARSED_BYTES) chunks.push(chunk);
        });
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            const processingMs = bytes <= MAX_PARSED_BYTES ? processingMsOf(Buffer.concat(chunks).toString("utf8")) : undefined;
            done({ ok: true, status, bytes, ...(processingMs === undefined ? {} : { processingMs }) });
          }
          else done({ ok: false, kind: "http", detail: `HTTP ${status}` });
        });
        res.on("error", (err) => done({ ok: false, kind: errorKind(err), detail: err.message }));
        res.on("aborted", () => done({ ok: false, kind: "reset", detail: "answer cut short" }));
      });
      req.on("socket", () => {
        if (!req.reusedSocket) this.connections++;
      });
      req.on("error", (err) => done({ ok: false, kind: errorKind(err), detail: err instanceof RequestTimeout ? err.message : `${(err as { code?: string }).code ?? ""} ${err.message}`.trim() }));
      const timer = setTimeout(() => req.destroy(new RequestTimeout(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
