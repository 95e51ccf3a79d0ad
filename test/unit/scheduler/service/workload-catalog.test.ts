import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG, parseCatalog } from "../../../../scheduler/service/workload-catalog.js";
import { workloadIdOf } from "../../../../scheduler/service/task-runtime.js";

describe("workload catalog", () => {
  it("maps names to commands, with * for the rest", () => {
    const c = parseCatalog(JSON.stringify({ detect: { command: ["./detect"], port: 9000, probePath: "/health" }, "*": { command: ["./any"], port: 80 } }), "c.json");
    expect(c.lookup("detect")).toEqual({ command: ["./detect"], env: {}, port: 9000, probePath: "/health" });
    expect(c.lookup("other")).toMatchObject({ command: ["./any"], probePath: "/" });
    expect(DEFAULT_CATALOG.lookup("anything")?.port).toBe(8080);
  });

  it("runs the shipped image server with an environment of its own", () => {
    const c = parseCatalog(JSON.stringify({ "ballast-16": { shipped: "image-server", env: { FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: "16" } } }), "c.json");
    const shipped = DEFAULT_CATALOG.lookup("x")!;
    expect(c.lookup("ballast-16")).toEqual({ ...shipped, env: { ...shipped.env, FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: "16" } });
    expect(c.lookup("other")).toBeUndefined();
    expect(() => parseCatalog(JSON.stringify({ a: { shipped: "redis" } }), "c.json")).toThrow('c.json: a: shipped must be "image-server"');
    expect(() => parseCatalog(JSON.stringify({ a: { shipped: "image-server", command: ["x"] } }), "c.json")).toThrow("give command or shipped, not both");
    expect(() => parseCatalog(JSON.stringify({ a: { shipped: "image-server", env: { N: 1 } } }), "c.json")).toThrow("env must map names to strings");
  });

  it("names the bad entry", () => {
    expect(() => parseCatalog(JSON.stringify({ detect: { command: [], port: 80 } }), "c.json")).toThrow("c.json: detect: command must be a non-empty array of strings");
    expect(() => parseCatalog(JSON.stringify({ detect: { command: ["x"], port: 0 } }), "c.json")).toThrow("port must be 1..65535");
    expect(() => parseCatalog("{", "c.json")).toThrow(/c.json: not valid JSON/);
  });

  it("turns task ids into agent workload ids, distinct ones staying distinct", () => {
    expect(workloadIdOf("t-1")).toBe("t-1");
    expect(workloadIdOf("Cam.Job")).toMatch(/^cam-job-[0-9a-f]{8}$/);
    expect(workloadIdOf("cam_job")).not.toBe(workloadIdOf("cam.job"));
    expect(workloadIdOf("x".repeat(60)).length).toBeLessThanOrEqual(41);
  });
});
