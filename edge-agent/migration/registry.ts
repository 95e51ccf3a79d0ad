// Which strategies move which workloads, and the destination hooks, by name;
// each bound to the runtime it works with. Above both strategy families (the
// CRIU ones for process trees, Docker's through the engine): nothing below
// imports this file.
import type { DirectRuntime } from "../runtime/direct.js";
import type { DockerRuntime } from "../runtime/docker.js";
import type { RestoredTree, RuntimeKind } from "../runtime/types.js";
import { chooseStrategy } from "./auto.js";
import { dockerDestinationHook, dockerStopcopyStrategy } from "./docker-stopcopy.js";
import { postcopyDestinationHook, postcopyStrategy } from "./postcopy.js";
import { precopyStrategy } from "./precopy.js";
import { plainRestoreHook } from "./restore.js";
import { stopcopyStrategy } from "./stopcopy.js";
import type {
  Availability,
  Capabilities,
  DestinationContext,
  DestinationHook,
  MigrationContext,
  MigrationResult,
  MigrationStrategy,
  PreparedHook,
  StrategyName,
} from "./strategy.js";

/** The agent's runtimes; a family reads its own only when a migration needs it (Docker is optional). */
export interface AgentRuntimes {
  readonly direct: DirectRuntime;
  readonly docker: DockerRuntime;
}

/** What the runner gives a strategy: everything but the runtime, which the registry binds. */
export type RunnerContext = Omit<MigrationContext, "runtime">;

/** A strategy bound to its runtime, ready to run. */
export interface RunnableStrategy {
  readonly name: MigrationStrategy["name"];
  migrateSource(ctx: RunnerContext): Promise<MigrationResult>;
  resumeSource(ctx: RunnerContext): Promise<void>;
  /** Commit: lets go of what the strategy kept on the source past migrateSource. */
  release(ctx: RunnerContext): Promise<void>;
}

/** A destination hook bound to its runtime. */
export interface RunnableHook {
  readonly name: string;
  prepare?(ctx: Omit<DestinationContext, "runtime">): Promise<PreparedHook>;
  restore(ctx: Omit<DestinationContext, "runtime">): Promise<RestoredTree>;
}

export type Choice = { strategy: RunnableStrategy; reason: string } | { refused: string };

/** The strategies that move one runtime's workloads. */
export interface StrategyFamily {
  /** Why `requested` can never move this runtime's workloads; undefined when it may. */
  refuses(requested: StrategyName): string | undefined;
  /** The strategy to run for `requested` here, and why; `refused` when it is unavailable. Throws when auto finds none. */
  choose(requested: StrategyName, input: { caps: Capabilities; workingSetBytes: number; bandwidthBps?: number }): Choice;
}

function bind<R>(strategy: MigrationStrategy<R>, runtime: R): RunnableStrategy {
  return {
    name: strategy.name,
    migrateSource: (ctx) => strategy.migrateSource({ ...ctx, runtime }),
    resumeSource: (ctx) => strategy.resumeSource({ ...ctx, runtime }),
    release: async (ctx) => strategy.release?.({ ...ctx, runtime }),
  };
}

function bindHook<R>(hook: DestinationHook<R>, runtime: () => R): RunnableHook {
  const prepare = hook.prepare?.bind(hook);
  return {
    name: hook.name,
    ...(prepare && { prepare: (ctx: Omit<DestinationContext, "runtime">) => prepare({ ...ctx, runtime: runtime() }) }),
    restore: (ctx) => hook.restore({ ...ctx, runtime: runtime() }),
  };
}

/** Process trees move with CRIU: stop-and-copy, pre-copy, post-copy, or auto's pick of them. */
const treeStrategies = [stopcopyStrategy, precopyStrategy, postcopyStrategy];

/** What works here for process trees (capabilities.strategies), auto included. */
export function availability(caps: Capabilities): Record<string, Availability> {
  const out: Record<string, Availability> = {};
  for (const s of treeStrategies) out[s.name] = s.available(caps);
  const any = Object.values(out).some((a) => a.ok);
  out.auto = any ? { ok: true } : { ok: false, reason: "no strategy works here" };
  return out;
}

function treeFamily(direct: DirectRuntime): StrategyFamily {
  return {
    refuses: () => undefined,
    choose(requested, { caps, workingSetBytes, bandwidthBps }) {
      const avail = availability(caps);
      if (requested === "auto") {
        const choice = chooseStrategy({ available: avail, workingSetBytes, bandwidthBps });
        return { strategy: bind(treeStrategies.find((s) => s.name === choice.strategy)!, direct), reason: `auto: ${choice.reason}` };
      }
      const strategy = treeStrategies.find((s) => s.name === requested);
      if (!strategy) return { refused: `unknown strategy ${requested}` };
      const a = avail[requested]!;
      if (!a.ok) return { refused: `strategy ${requested} is unavailable here: ${a.reason}` };
      return { strategy: bind(strategy, direct), reason: "requested" };
    },
  };
}

/** Docker workloads move through the engine's checkpoint API: stop-and-copy only. */
function dockerFamily(docker: DockerRuntime): StrategyFamily {
  return {
    refuses: (requested) =>
      requested === "stopcopy" || requested === "auto"
        ? undefined
        : `Docker workloads migrate with stopcopy (docker checkpoint); ${requested} needs a direct-runtime workload (docs/agent.md)`,
    choose(requested, { caps }) {
      const a = dockerStopcopyStrategy.available(caps);
      if (!a.ok) return { refused: `Docker migration is unavailable here: ${a.reason}` };
      const reason = requested === "auto" ? "auto: a Docker workload moves by docker checkpoint (stop-and-copy)" : "requested";
      return { strategy: bind(dockerStopcopyStrategy, docker), reason };
    },
  };
}

const families: { readonly [K in RuntimeKind]: (runtimes: AgentRuntimes) => StrategyFamily } = {
  direct: (runtimes) => treeFamily(runtimes.direct),
  docker: (runtimes) => dockerFamily(runtimes.docker),
};

/** The strategies for workloads of runtime `kind`, bound to the agent's runtime of that kind. */
export function strategyFamily(kind: RuntimeKind, runtimes: AgentRuntimes): StrategyFamily {
  return families[kind](runtimes);
}

/** The destination hooks by name, each bound to the runtime it restores into. */
export function destinationHooks(runtimes: AgentRuntimes): ReadonlyMap<string, RunnableHook> {
  const hooks = [
    bindHook(plainRestoreHook, () => runtimes.direct),
    bindHook(postcopyDestinationHook, () => undefined),
    bindHook(dockerDestinationHook, () => runtimes.docker),
  ];
  return new Map(hooks.map((h) => [h.name, h]));
}
