import { describe, expect, it } from "vitest";
import { switchPath } from "../../../../scheduler/migration/switch-path.js";

const link = (a: string, b: string) => ({ src: { dpid: a, port: 1 }, dst: { dpid: b, port: 2 } });

describe("switchPath", () => {
  it("takes the fewest links, either direction of a discovered link", () => {
    const links = [link("a", "b"), link("b", "c"), link("c", "d"), link("a", "d")];
    expect(switchPath(links, "a", "d")).toEqual(["a", "d"]);
    expect(switchPath(links, "d", "b")).toHaveLength(3);
    expect(switchPath([link("a", "b"), link("b", "c")], "c", "a")).toEqual(["c", "b", "a"]);
    expect(switchPath(links, "c", "c")).toEqual(["c"]);
  });

  it("answers null when no link joins the two switches", () => {
    expect(switchPath([link("a", "b"), link("c", "d")], "a", "d")).toBeNull();
    expect(switchPath([], "a", "b")).toBeNull();
  });
});
