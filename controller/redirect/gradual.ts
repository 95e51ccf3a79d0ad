// The gradual strategy: new flows of a service shift to its new place in
// weight steps through a select group, then plain destination rules replace
// the split. While the split is live a reconnecting switch must get the group
// and branch rules back, so the steps under way are tracked here.
import { performance } from "node:perf_hooks";
import { ApiError } from "../../src/http/api-error.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import { applyChanges } from "./apply.js";
import { deleteByCookie, deleteGroup, type GradualInput, gradualChanges, gradualWeights, type Place, type Strategy } from "./plan.js";
import type { RedirectRecord } from "./store.js";
import { type Prepared, type RedirectDeps, type RedirectOptions, type RedirectRequest, roundMs, type Touched } from "./types.js";

/** A gradual redirect between its first and its last step: its select group and branch rules are live. */
export interface GradualInFlight {
  service: string;
  /** The step last sent (undefined before the first). */
  step: GradualInput | undefined;
}

/**
 * What the gradual strategy borrows from the executor: the steps every
 * strategy shares (prepare, finish) and the settling bookkeeping, whose end
 * re-installs switches that reconnected meanwhile.
 */
export interface GradualDeps {
  registry: SwitchRegistry;
  emit: RedirectDeps["emit"];
  /** Next hop per connected switch toward `place`. */
  hopsToward(place: Place): Map<string, number>;
  prepare(req: RedirectRequest): Prepared;
  finish(p: Prepared, strategy: Strategy, ms: number, stepsMs: number[], touched: Touched): RedirectRecord;
  beginSettling(services: string[]): void;
  settled(services: string[]): void;
}

// Marks the split's branch rules apart from the final rules, which use the plain redirect cookie.
const GRADUAL_FLAG = 0x8000_0000n;

export class GradualRedirects {
  private readonly inFlight = new Map<number, GradualInFlight>();

  constructor(private readonly d: GradualDeps) {}

  /** Gradual redirects between their first and last step, by redirect id. */
  underWay(): Iterable<[number, GradualInFlight]> {
    return this.inFlight.entries();
  }

  async run(req: RedirectRequest, opts: RedirectOptions, t0: number): Promise<RedirectRecord> {
    const p = this.d.prepare(req);
    if (!p.from || (p.from.dpid === req.to.dpid && p.from.port === req.to.port)) {
      throw ApiError.badRequest("a gradual redirect needs the service's current place (the controller has not seen it, or it is already there)");
    }
    const oldHops = this.d.hopsToward(p.from);
    const newHops = this.d.hopsToward(req.to);
    const groupId = p.id;
    const oldVid = 2 + ((p.id * 2) % 4000);
    const phaseCookie = p.cookie | GRADUAL_FLAG;
    const flight: GradualInFlight = { service: req.service, step: undefined };
    this.inFlight.set(p.id, flight);
    let finalizing = false;
    try {
      const stepsMs: number[] = [];
      const switches = new Set<string>();
      let flowMods = 0;
      const weights = gradualWeights(opts.steps ?? 4);
      for (let i = 0; i < weights.length; i++) {
        const start = performance.now();
        const step: GradualInput = { svc: req, old: p.from, target: req.to, oldHops, newHops, cookie: phaseCookie, groupId, oldVid, newVid: oldVid + 1, newWeight: weights[i] as number, groupCommand: i === 0 ? "add" : "modify" };
        const changes = gradualChanges(step, i === 0);
        // Set before sending: a switch that reconnects from here on must get this step's weights.
        flight.step = step;
        const touched = await applyChanges(this.d.registry, changes, []);
        for (const s of touched.switches) switches.add(s);
        flowMods += touched.flowMods;
        stepsMs.push(roundMs(performance.now() - start));
        this.d.emit({ type: "redirect.step", service: req.service, newWeight: weights[i], ms: stepsMs[stepsMs.length - 1] });
        if (i < weights.length - 1) await new Promise((r) => setTimeout(r, opts.stepMs ?? 500));
      }
      // Last: plain destination rules replace the split, and the group goes.
      // From here a reconnecting switch waits for the outcome instead of getting the split back.
      finalizing = true;
      this.d.beginSettling([req.service]);
      const start = performance.now();
      const finalCleanup = [...p.cleanup, deleteByCookie(phaseCookie)];
      const touched = await applyChanges(this.d.registry, p.changes, finalCleanup, [deleteGroup(groupId)]);
      stepsMs.push(roundMs(performance.now() - start));
      for (const s of touched.switches) switches.add(s);
      const ms = performance.now() - t0;
      return this.d.finish(p, "gradual", ms, stepsMs, { switches: [...switches].sort(), flowMods: flowMods + touched.flowMods });
    } finally {
      this.inFlight.delete(p.id);
      if (finalizing) this.d.settled([req.service]);
    }
  }
}
