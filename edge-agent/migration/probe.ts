// Downtime measured from outside, as a client sees it: the last answer the
// workload gave on the source, to its first answer on the destination.
import { setTimeout as sleep } from "node:timers/promises";
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
