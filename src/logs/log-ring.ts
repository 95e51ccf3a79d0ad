// A bounded ring of a service's recent structured log lines (pure): what
// GET /v1/logs answers from. Fixed capacity, the oldest line overwritten; a
// query scans it once, so its cost is bounded by the capacity.
import type { LogLevelName, LogLine } from "../api-types/logs.js";

export const DEFAULT_RING_LINES = 4000;

const LEVELS: Record<number, LogLevelName> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
/** Fields of a pino line that LogLine names itself, or that say nothing about the event. */
const OWN_FIELDS = new Set(["time", "level", "service", "msg", "correlation", "reqId", "migration", "pid", "hostname", "v"]);
/** At most this many extra fields per line, each value cut to this length: a line's size stays bounded. */
const MAX_FIELDS = 12;
const MAX_VALUE = 200;

export class LogRing {
  private readonly lines: Array<LogLine | undefined>;
  private next = 0;

  constructor(readonly capacity = DEFAULT_RING_LINES) {
    this.lines = new Array(capacity);
  }

  push(line: LogLine): void {
    this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Keeps one pino JSON line; a line that is not one is ignored. */
  pushPino(text: string, service: string): void {
    const line = fromPino(text, service);
    if (line) this.push(line);
  }

  /** Lines about `id` (as correlation, request or migration id), oldest first, at most the newest `limit`. */
  about(id: string, limit: number): { lines: LogLine[]; truncated: boolean } {
    const found: LogLine[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const line = this.lines[(this.next + i) % this.capacity];
      if (line && (line.correlation === id || line.reqId === id || line.migration === id)) found.push(line);
    }
    return found.length > limit ? { lines: found.slice(-limit), truncated: true } : { lines: found, truncated: false };
  }
}

/** A pino JSON line as a LogLine; undefined for anything else. */
export function fromPino(text: string, service: string): LogLine | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  if (typeof o.time !== "number" || typeof o.level !== "number") return undefined;
  const line: LogLine = {
    at: new Date(o.time).toISOString(),
    level: LEVELS[o.level] ?? "info",
    service: typeof o.service === "string" ? o.service : service,
    msg: typeof o.msg === "string" ? o.msg : "",
  };
  if (typeof o.correlation === "string") line.correlation = o.correlation;
  if (typeof o.reqId === "string") line.reqId = o.reqId;
  if (typeof o.migration === "string") line.migration = o.migration;
  const fields: Record<string, string | number | boolean> = {};
  let n = 0;
  for (const [k, v] of Object.entries(o)) {
    if (OWN_FIELDS.has(k) || n >= MAX_FIELDS) continue;
    if (typeof v === "number" || typeof v === "boolean") fields[k] = v;
    else if (typeof v === "string") fields[k] = v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE)}…` : v;
    else continue;
    n++;
  }
  if (n > 0) line.fields = fields;
  return line;
}
