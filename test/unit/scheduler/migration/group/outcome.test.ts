import { describe, expect, it } from "vitest";
import type { GroupMember, MemberProgress } from "../../../../../scheduler/migration/group/members.js";
import { groupOutcome, rollbackPlan } from "../../../../../scheduler/migration/group/outcome.js";

const m = (task: string, member: string, order: number, replica: number, from: string): GroupMember => ({ task, group: { name: "shop", member, order, replica }, from });
const SHOP = [m("db", "db", 0, 0, "edge1"), m("api-0", "api", 1, 0, "edge1"), m("api-1", "api", 1, 1, "edge2"), m("web", "web", 2, 0, "edge2")];

describe("the group's outcome", () => {
  const failedAtWeb = new Map<string, MemberProgress>([
    ["db", "moved"],
    ["api-0", "moved"],
    ["api-1", "moved"],
    ["web", "failed"],
  ]);

  it("rollback: the moved members go back to where each ran, last started first", () => {
    expect(rollbackPlan(SHOP, failedAtWeb, "rollback")).toEqual([
      { task: "api-1", to: "edge2" },
      { task: "api-0", to: "edge1" },
      { task: "db", to: "edge1" },
    ]);
  });

  it("leave: nothing moves back", () => {
    expect(rollbackPlan(SHOP, failedAtWeb, "leave")).toEqual([]);
    expect(groupOutcome(failedAtWeb, "leave", false)).toBe("left");
  });

  it("completed only when every member moved; rolled-back after a clean rollback; failed when a move back failed", () => {
    expect(groupOutcome(new Map(SHOP.map((x) => [x.task, "moved" as const])), "rollback", false)).toBe("completed");
    const after = new Map<string, MemberProgress>([...failedAtWeb].map(([t, p]) => [t, p === "moved" ? "waiting" : p]));
    expect(groupOutcome(after, "rollback", false)).toBe("rolled-back");
    expect(groupOutcome(after, "rollback", true)).toBe("failed");
  });
});
