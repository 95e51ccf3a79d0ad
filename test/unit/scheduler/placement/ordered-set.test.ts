// The treap behind the capacity index, checked against a sorted array.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OrderedSet } from "../../../../scheduler/placement/ordered-set.js";

const cmp = (a: number, b: number) => a - b;

describe("OrderedSet", () => {
  it("keeps order through random inserts and deletes, and answers firstWhere/after/collectFrom", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 })), { maxLength: 300 }), fc.integer({ min: -1, max: 61 }), (ops, probe) => {
        const set = new OrderedSet<number>(cmp);
        const model: number[] = [];
        for (const [add, v] of ops) {
          const has = model.includes(v);
          if (add && !has) {
            set.insert(v);
            model.push(v);
            model.sort(cmp);
          } else if (!add) {
            expect(set.delete(v)).toBe(has);
            if (has) model.splice(model.indexOf(v), 1);
          }
        }
        expect([...set]).toEqual(model);
        expect(set.size).toBe(model.length);
        expect(set.first()).toBe(model[0]);
        expect(set.last()).toBe(model.at(-1));
        expect(set.firstWhere((x) => x >= probe)).toBe(model.find((x) => x >= probe));
        expect(set.after(probe)).toBe(model.find((x) => x > probe));
        for (const atMost of [0, 1, 3, 1000]) {
          const out = [-5];
          set.collectFrom(probe, atMost, out);
          expect(out).toEqual([-5, ...model.filter((x) => x >= probe).slice(0, atMost)]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
