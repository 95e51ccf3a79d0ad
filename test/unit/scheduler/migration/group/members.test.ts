import { describe, expect, it } from "vitest";
import { type GroupMember, inStartOrder, type MemberProgress, membershipProblems, pickRound } from "../../../../../scheduler/migration/group/members.js";

const m = (task: string, member: string, order: number, replica = 0, from = "edge1"): GroupMember => ({ task, group: { name: "shop", member, order, replica }, from });
/** db first; api (two replicas) and web after it. */
const SHOP = [m("web", "web", 1), m("api-1", "api", 1, 1), m("db", "db", 0), m("api-0", "api", 1, 0)];
const progress = (over: Record<string, MemberProgress> = {}) => new Map(SHOP.map((x) => [x.task, over[x.task] ?? "waiting"]));

describe("group members", () => {
  it("orders by start order, member, replica", () => {
    expect(inStartOrder(SHOP).map((x) => x.task)).toEqual(["db", "api-0", "api-1", "web"]);
  });

  it("a round takes only the lowest start order not yet moved", () => {
    expect(pickRound(SHOP, progress(), 4)).toEqual({ tasks: ["db"], note: "1 eligible of start order 0; 3 member(s) of later start orders wait for it" });
  });

  it("after it: one replica of api at a time, beside web", () => {
    expect(pickRound(SHOP, progress({ db: "moved" }), 4)).toEqual({ tasks: ["api-0", "web"], note: "2 eligible of start order 1; 1 replica(s) wait: one replica of a member at a time" });
    expect(pickRound(SHOP, progress({ db: "moved", "api-0": "moved", web: "moved" }), 4)).toEqual({ tasks: ["api-1"], note: "1 eligible of start order 1" });
  });

  it("no more than the parallelism, and no note when it is the limit", () => {
    expect(pickRound(SHOP, progress({ db: "moved" }), 1)).toEqual({ tasks: ["api-0"] });
  });

  it("a replica in flight holds its siblings back", () => {
    expect(pickRound(SHOP, progress({ db: "moved", "api-0": "moving" }), 4).tasks).toEqual(["web"]);
  });

  it("nothing once all moved", () => {
    expect(pickRound(SHOP, progress({ db: "moved", "api-0": "moved", "api-1": "moved", web: "moved" }), 2)).toEqual({ tasks: [] });
  });

  it("finds replicas held twice and replicas that disagree on the start order", () => {
    expect(membershipProblems(SHOP)).toEqual([]);
    expect(membershipProblems([...SHOP, m("api-x", "api", 1, 1)])).toEqual(["member api replica 1 is held by two tasks"]);
    expect(membershipProblems([...SHOP, m("api-2", "api", 2, 2)])).toEqual(["member api's replicas disagree on the start order (1 and 2)"]);
  });
});
