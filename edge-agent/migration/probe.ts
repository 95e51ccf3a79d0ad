// Downtime measured from outside, as a client sees it: the last answer the
// workload gave on the source, to its first answer on the destination.
import { setTimeout as sleep } from "node:timers/promises";
import { TREE_CHECK_WINDOW_MS } from "../runtime/tree-check.js";
import type { DowntimeProbe } from "./strategy.js";

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export function startProbe(sourceUrl: string, destinationUrl: string, intervalMs = 10): DowntimeProbe & { stop(): void } {
  let polling = true;
  let lastOk: number | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const loop = async () => {
    while (polling) {
      inFlight = answers(sourceUrl, 250).then((ok) => {
        if (ok) lastOk = Date.now();
      });
      await inFlight;
      await sleep(intervalMs);
    }
  };
  void loop();
  return {
    lastSourceAnswerAt: () => lastOk,
    async quiesceSource() {
      polling = false;
      await inFlight;
    },
    async waitForDestination(timeoutMs = 20_000) {
      polling = false;
      await inFlight;
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (await answers(destinationUrl, 500)) {
          const first = Date.now();
          return lastOk === undefined ? 0 : first - lastOk;
        }
        await sleep(intervalMs);
      }
      throw new Error(`the workload did not answer on the destination (${destinationUrl}) within ${timeoutMs} ms`);
    },
    stop() {
      polling = false;
    },
  };
}

/**
 * For a workload the agent cannot ask over HTTP (no port, or its port inside
 * its own network namespace): its process tree instead. The destination's
 * agent checks at restore that the tree runs and advances, and marks it
 * failed when it does not; `runsThere` asks that agent ("ended": it is gone
 * or failed). Answers must say it runs for longer than that check looks
 * (TREE_CHECK_WINDOW_MS), so its verdict has come. Downtime runs from the
 * freeze to the first such answer (the confirmation adds to nothing else).
 */
export function startTreeProbe(runsThere: () => Promise<boolean | "ended">, opts: { intervalMs?: number; confirmMs?: number } = {}): DowntimeProbe & { stop(): void } {
  const intervalMs = opts.intervalMs ?? 50;
  const confirmMs = opts.confirmMs ?? TREE_CHECK_WINDOW_MS + 300;
  let frozenAt: number | undefined;
  return {
    lastSourceAnswerAt: () => frozenAt,
    async quiesceSource() {
      frozenAt ??= Date.now();
    },
    frozeAt(at) {
      frozenAt = at;
    },
    async waitForDestination(timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let firstRun: number | undefined;
      while (Date.now() < end) {
        const runs = await runsThere().catch(() => false);
        if (runs === "ended") throw new Error("the workload's process tree does not run on the destination (its agent found it stopped, dead or not advancing)");
        if (runs && firstRun === undefined) firstRun = Date.now();
        if (!runs) firstRun = undefined;
        if (firstRun !== undefined && Date.now() - firstRun >= confirmMs) return frozenAt === undefined ? 0 : firstRun - frozenAt;
        await sleep(intervalMs);
      }
      throw new Error(`the workload's process tree does not run on the destination (asked for ${timeoutMs} ms)`);
    },
    stop() {},
  };
}
