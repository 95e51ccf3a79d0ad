// SettlingServices: a switch that reconnects while a service's redirect is on
// its way waits, and is handed back once the last change of that service ended.
import { describe, expect, it } from "vitest";
import { SettlingServices } from "../../../../controller/redirect/settling.js";

describe("SettlingServices", () => {
  it("defers switches only for services with a change under way, and hands them back when the last one ends", () => {
    const s = new SettlingServices();
    expect(s.defer("web", "01")).toBe(false);
    s.begin(["web", "api"]);
    s.begin(["web"]);
    expect(s.defer("web", "02")).toBe(true);
    expect(s.defer("web", "01")).toBe(true);
    expect(s.defer("web", "02")).toBe(true);
    expect(s.defer("db", "01")).toBe(false);
    expect(s.end(["web", "api"])).toEqual([]); // web still has one change running; api had no waiting switch
    expect(s.defer("api", "01")).toBe(false);
    expect(s.end(["web"])).toEqual([{ service: "web", dpids: ["01", "02"] }]);
    expect(s.defer("web", "01")).toBe(false);
    expect(s.end(["web"])).toEqual([]);
  });
});
