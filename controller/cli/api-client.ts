// Shared bits of the controller's client commands (flows, topology, dns):
// the --controller flag and tolerant readers of the API's list payloads. The
// calls themselves go through src/clients/controller.ts.
import * as flag from "../../src/cli/flags.js";
import { DEFAULT_CONTROLLER_URL } from "../../src/clients/controller.js";

/** --controller URL, declared once for every client command. */
export const controllerFlag = flag.url("controller HTTP API", { default: DEFAULT_CONTROLLER_URL });

/** Rows of a list payload: a bare array, or the array under `key` ({switches: [...]}); [] otherwise. */
export function listOf(data: unknown, key: string): Record<string, unknown>[] {
  const list = Array.isArray(data) ? data : (data as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? list.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null) : [];
}

/** ISO time or epoch milliseconds as "12s ago" relative to `now`. */
export function age(value: unknown, now: number): string | undefined {
  const t = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) return undefined;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}
