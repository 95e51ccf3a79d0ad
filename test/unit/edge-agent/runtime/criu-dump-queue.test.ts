// CRIU dumps of one agent run one at a time (two dumps of workloads sharing
// a working directory race on the parasite's /proc mount directory).
import { describe, expect, it } from "vitest";
import { oneDumpAtATime } from "../../../../edge-agent/runtime/criu.js";

describe("one criu dump at a time per agent", () => {
  it("runs queued dumps one after the other, each after the previous ended (failed ones too)", async () => {
    const events: string[] = [];
    const job = (name: string, ms: number, fail = false) => async () => {
      events.push(`${name} start`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${name} end`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([oneDumpAtATime(job("a", 30, true)), oneDumpAtATime(job("b", 5)), oneDumpAtATime(job("c", 1))]);
    expect(events).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
  });
});
