// The strategy table (source side) and destination hooks, by name.
import { postcopyDestinationHook, postcopyStrategy } from "../postcopy/strategy.js";
import { dockerDestinationHook, dockerStopcopyStrategy } from "./docker-stopcopy.js";
import { restorePlain } from "./restore.js";
import { precopyStrategy } from "./precopy.js";
import { stopcopyStrategy } from "./stopcopy.js";
import type { Availability, Capabilities, DestinationHook, MigrationStrategy } from "./strategy.js";

export const strategies: ReadonlyMap<string, MigrationStrategy> = new Map(
  [stopcopyStrategy, precopyStrategy, postcopyStrategy].map((s) => [s.name, s]),
);

export const destinationHooks: ReadonlyMap<string, DestinationHook> = new Map(
  [{ name: "stopcopy", restore: restorePlain }, postcopyDestinationHook, dockerDestinationHook].map((h) => [h.name, h]),
);

/** Docker workloads move through the engine's checkpoint API: stop-and-copy only. */
export const dockerStrategies: ReadonlyMap<string, MigrationStrategy> = new Map([[dockerStopcopyStrategy.name, dockerStopcopyStrategy]]);

export function availability(caps: Capabilities): Record<string, Availability> {
  const out: Record<string, Availability> = {};
  for (const [name, s] of strategies) out[name] = s.available(caps);
  const any = Object.values(out).some((a) => a.ok);
  out.auto = any ? { ok: true } : { ok: false, reason: "no strategy works here" };
  return out;
}
