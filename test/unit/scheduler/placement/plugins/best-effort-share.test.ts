import { describe, expect, it } from "vitest";
import { bestEffortShare } from "../../../../../scheduler/placement/plugins/best-effort-share.js";
import type { TaskRequest } from "../../../../../scheduler/placement/types.js";

const model = { kind: "power" as const, a: 100, b: -1 };
const request = (delayBudgetMs: number): TaskRequest => ({ id: "r", device: "d", workload: "w", inputClass: "c", delayBudgetMs });

describe("bestEffortShare", () => {
  it("needs what the budget needs where it can be met", () => {
    const need = bestEffortShare.needAt(model, request(1050));
    expect(need(50)).toBe(100);
    expect(need(100)).toBe(106);
  });

  it("grants one full core where the budget cannot be met (the deadline may be missed)", () => {
    const need = bestEffortShare.needAt(model, request(150));
    expect(need(51)).toBe(1000);
    expect(need(500)).toBe(1000);
  });
});
