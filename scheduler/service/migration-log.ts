// The migration manager's FlexiMigrate lines in the service's structured log:
// the same words (the human form people and tests read), at the line's own
// level, with the move's id and the component as fields.
import type { FastifyBaseLogger } from "fastify";

/**
 * A FlexiMigrate line ("m-3 INFO [MigrationManager]: ... - Transitioning: A -> B")
 * in the structured log: the same words, at its level, with the move's id as a field.
 */
export function logMigrationLine(logger: FastifyBaseLogger, line: string, migration: string | undefined): void {
  const m = /^(?:(\S+) )?(DEBUG|INFO|WARN|ERROR) \[(\w+)\]: /.exec(line);
  const fields = { ...(migration === undefined ? {} : { migration }), ...(m?.[3] ? { component: m[3] } : {}) };
  const text = migration !== undefined && line.startsWith(`${migration} `) ? line.slice(migration.length + 1) : line;
  const level = m?.[2] === "ERROR" ? "error" : m?.[2] === "WARN" ? "warn" : m?.[2] === "DEBUG" ? "debug" : "info";
  logger[level](fields, text);
}
