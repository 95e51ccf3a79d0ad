// The correlation id that follows one piece of work (a migration) across the
// services: kept in an AsyncLocalStorage while the work runs, sent by every
// JsonClient call as the x-request-id header, and taken by each service as
// its request id (src/logs/fastify-logging.ts), so the lines the four
// services log about a migration carry the same id.
import { AsyncLocalStorage } from "node:async_hooks";

export const REQUEST_ID_HEADER = "x-request-id";

/** What a service accepts as a request id from a client: short, printable, no spaces (it goes into log lines). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

const storage = new AsyncLocalStorage<string>();

export function isRequestId(value: unknown): value is string {
  return typeof value === "string" && REQUEST_ID.test(value);
}

/** Runs `fn` with `id` as the correlation id of everything it starts (calls, log lines). */
export function withCorrelation<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The correlation id of the work running now, if any. */
export function currentCorrelation(): string | undefined {
  return storage.getStore();
}
