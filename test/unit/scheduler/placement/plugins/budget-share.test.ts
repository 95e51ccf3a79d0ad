import { describe, expect, it } from "vitest";
import { budgetShare } from "../../../../../scheduler/placement/plugins/budget-share.js";
import type { TaskRequest } from "../../../../../scheduler/placement/types.js";

const model = { kind: "power" as const, a: 100, b: -1 }; // 100 ms on one core, 1000 ms on 0.1
const request = (delayBudgetMs: number): TaskRequest => ({ id: "r", device: "d", workload: "w", inputClass: "c", delayBudgetMs });

describe("budgetShare", () => {
  it("needs the millicores that finish within the budget minus the node's network delay, rounded up", () => {
    const need = budgetShare.needAt(model, request(1050));
    expect(need(50)).toBe(100); // 1000 ms left: 0.1 core
    expect(need(100)).toBe(106); // 950 ms left: 0.10526 core
    expect(need(850)).toBe(500);
  });

  it("is infeasible (-1) where one full core is too slow or no time is left", () => {
    const need = budgetShare.needAt(model, request(150));
    expect(need(50)).toBe(1000);
    expect(need(51)).toBe(-1);
    expect(need(150)).toBe(-1);
  });

  it("answers a repeated delay the same (memoized per decision)", () => {
    const need = budgetShare.needAt(model, request(1050));
    expect([need(50), need(100), need(50), need(100)]).toEqual([100, 106, 100, 106]);
  });
});
