// How a route acknowledges a change only once it is durable: `persist`
// writes what changed in the controller's state (state/journal.ts) and
// resolves once it is on disk; without a state directory it does nothing.
// A failed write is a 503. For changes kept only in memory (DNS records,
// named nodes) the route puts memory back first, so nothing changed; for
// changes already made on switches or OVSDB (redirects, tunnels) it says the
// change is in force but not yet recorded (the next write that succeeds
// records it, as every write carries all that differs from the disk).
import { ApiError } from "../../src/http/api-error.js";

export type Persist = () => Promise<void>;

export const NOT_DURABLE: Persist = async () => {};

/** Persists; on failure runs `undo` (memory back as it was) and throws the 503 saying nothing changed. */
export async function persistOrUndo(persist: Persist, undo: () => void): Promise<void> {
  try {
    await persist();
  } catch (err) {
    undo();
    throw new ApiError(503, "UNAVAILABLE", `${(err as Error).message}; nothing was changed`, { reason: (err as Error).message });
  }
}

/** Persists a change already in force on switches or OVSDB; on failure a 503 that says so. */
export async function persistInForce(persist: Persist, what: string): Promise<void> {
  try {
    await persist();
  } catch (err) {
    const reason = (err as Error).message;
    throw new ApiError(503, "UNAVAILABLE", `${reason}; ${what} is in force but not yet recorded (it is recorded with the next change written)`, { reason, inForce: true });
  }
}
