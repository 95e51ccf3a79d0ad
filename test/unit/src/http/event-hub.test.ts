import { describe, expect, it } from "vitest";
import { EventHub, type Stamped } from "../../../../src/http/event-hub.js";

type Ev = { type: "up"; n: number } | { type: "down"; reason: string };

describe("EventHub", () => {
  it("stamps each event with the clock's time, hands it to every subscriber and returns it", () => {
    let t = Date.parse("2026-01-02T03:04:05.000Z");
    const hub = new EventHub<Ev>(() => new Date(t++));
    const a: Stamped<Ev>[] = [];
    const b: Stamped<Ev>[] = [];
    hub.subscribe((e) => a.push(e));
    hub.subscribe((e) => b.push(e));
    const first = hub.emit({ type: "up", n: 1 });
    hub.emit({ type: "down", reason: "cable" });
    expect(first).toEqual({ type: "up", n: 1, at: "2026-01-02T03:04:05.000Z" });
    expect(a).toEqual([first, { type: "down", reason: "cable", at: "2026-01-02T03:04:05.001Z" }]);
    expect(b).toEqual(a);
  });

  it("stops delivering after unsubscribe, and counts its subscribers", () => {
    const hub = new EventHub<Ev>();
    const got: string[] = [];
    const listener = (e: Stamped<Ev>) => void got.push(e.type);
    const first = hub.subscribe(listener);
    const second = hub.subscribe(listener);
    expect(hub.size).toBe(2);
    hub.emit({ type: "up", n: 1 });
    first();
    expect(hub.size).toBe(1);
    hub.emit({ type: "down", reason: "x" });
    second();
    second();
    expect(hub.size).toBe(0);
    hub.emit({ type: "up", n: 2 });
    expect(got).toEqual(["up", "up", "down"]);
  });

  it("lets a subscriber unsubscribe while an event is being handed out", () => {
    const hub = new EventHub<Ev>();
    const got: string[] = [];
    const off = hub.subscribe(() => {
      got.push("once");
      off();
    });
    hub.subscribe(() => void got.push("always"));
    hub.emit({ type: "up", n: 1 });
    hub.emit({ type: "up", n: 2 });
    expect(got).toEqual(["once", "always", "always"]);
  });
});
