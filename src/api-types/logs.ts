// Wire shapes of GET /v1/logs, served the same by every service
// (src/logs/logs-routes.ts): a service's recent structured log lines about
// one correlation id (a migration's id), oldest first.

export type LogLevelName = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

export interface LogLine {
  /** When it was logged, ISO 8601 with ms. */
  at: string;
  level: LogLevelName;
  /** "scheduler", "controller", "agent edge1". */
  service: string;
  msg: string;
  /** The correlation id the line was logged under (a migration's id), if any. */
  correlation?: string;
  /** The request the line belongs to (its x-request-id when the caller sent one). */
  reqId?: string;
  /** The migration the line is about (the scheduler's FlexiMigrate lines). */
  migration?: string;
  /** The line's other fields (component, route, statusCode, ...). */
  fields?: Record<string, string | number | boolean>;
}

export interface LogLines {
  service: string;
  lines: LogLine[];
  /** More lines matched than `limit`: the oldest were left out. */
  truncated: boolean;
}
