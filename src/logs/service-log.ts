// A service's structured log: fastify's own logger (pino) writing JSON lines,
// or the same lines made readable by pino-pretty (--log-format pretty), to the
// service's output, each also kept in a bounded ring that GET /v1/logs answers
// from. Every line logged while a correlation id is current (a migration's
// work: src/http/correlation.ts) carries it as `correlation`.
import { type FastifyServerOptions, LogController } from "fastify";
import PinoPretty from "pino-pretty";
import { currentCorrelation, isRequestId, REQUEST_ID_HEADER } from "../http/correlation.js";
import { DEFAULT_RING_LINES, LogRing } from "./log-ring.js";

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface ServiceLogOptions {
  /** Names the service in every line: "scheduler", "controller", "agent edge1". */
  service: string;
  format?: LogFormat;
  /** Lines below it are dropped (default info; debug logs every request). */
  level?: LogLevel;
  /** Where lines go (the CLI: stderr, whose stdout carries the lines scripts read); none: the ring only. */
  out?: { write(text: string): unknown };
  ringLines?: number;
}

export class ServiceLog {
  readonly ring: LogRing;
  readonly service: string;
  readonly level: LogLevel;
  private readonly write: (text: string) => void;
  private seq = 0;

  constructor(opts: ServiceLogOptions) {
    this.service = opts.service;
    this.level = opts.level ?? "info";
    this.ring = new LogRing(opts.ringLines ?? DEFAULT_RING_LINES);
    const out = opts.out;
    const pretty = opts.format === "pretty" ? PinoPretty.prettyFactory({ colorize: false, singleLine: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }) : undefined;
    this.write = (text) => {
      this.ring.pushPino(text, this.service);
      if (!out) return;
      out.write(pretty ? pretty(text) : text);
    };
  }

  /**
   * fastify's options for this log: the pino logger, request ids taken from a
   * valid x-request-id (else req-N), and no built-in request lines
   * (installRequestLogging logs one line per request at the right level).
   */
  fastifyOptions(): Pick<FastifyServerOptions, "logger" | "genReqId" | "logController"> {
    return {
      logger: {
        level: this.level,
        base: { service: this.service },
        mixin: () => {
          const correlation = currentCorrelation();
          return correlation === undefined ? {} : { correlation };
        },
        stream: { write: (text: string) => this.write(text) },
      },
      genReqId: (req) => {
        const given = req.headers[REQUEST_ID_HEADER];
        return isRequestId(given) ? given : `req-${++this.seq}`;
      },
      logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "reqId" }),
    };
  }
}
