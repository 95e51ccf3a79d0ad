import { describe, expect, it } from "vitest";
import { isStateChange, StateTables } from "../../../../scheduler/state/records.js";

const model = { kind: "exponential", a: 1800, b: -2.1, r2: 0.99, source: "live" } as const;

describe("refitted models in the state records", () => {
  it("are kept, snapshotted and rebuilt by compaction; a deletion forgets one", () => {
    const t = new StateTables();
    t.apply({ kind: "model", key: "detect/small", value: model });
    expect(t.snapshot().models).toEqual([{ key: "detect/small", model }]);
    const again = new StateTables();
    for (const c of t.changes()) again.apply(c);
    expect(again.snapshot().models).toEqual([{ key: "detect/small", model }]);
    again.apply({ kind: "model", key: "detect/small", value: null });
    expect(again.snapshot().models).toEqual([]);
  });

  it("a line read back is a model only with a known kind, finite numbers and source live", () => {
    expect(isStateChange({ kind: "model", key: "k", value: model })).toBe(true);
    expect(isStateChange({ kind: "model", key: "k", value: null })).toBe(true);
    for (const bad of [{ ...model, kind: "linear" }, { ...model, a: "1" }, { ...model, r2: Number.NaN }, { ...model, source: "profile" }, [model], "x"]) {
      expect(isStateChange({ kind: "model", key: "k", value: bad }), JSON.stringify(bad)).toBe(false);
    }
  });
});
