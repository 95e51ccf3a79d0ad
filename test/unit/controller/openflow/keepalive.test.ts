// Echo keepalive: a switch that answers ECHO_REQUESTs stays; a silent one is dropped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { waitFor } from "../../../helpers/wait.js";

describe("echo keepalive", () => {
  let ctl: RunningController;
  const events: string[] = [];
  const alive = new FakeSwitch(7n, [1]);
  const hung = new FakeSwitch(8n, [1]);

  beforeAll(async () => {
    ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, echoIntervalMs: 100, lldpIntervalMs: 60_000 });
    ctl.events.subscribe((e) => events.push(`${e.type}:${String(e.dpid)}`));
    await alive.connect(ctl.openflowPort);
    await hung.connect(ctl.openflowPort);
    await waitFor(() => events.includes("switch.up:0000000000000007") && events.includes("switch.up:0000000000000008"), { what: "both up" });
  });

  afterAll(async () => {
    alive.close();
    hung.close();
    await ctl.close();
  });

  it("drops the switch that stops answering and keeps the one that answers", async () => {
    hung.silent = true;
    await waitFor(() => events.includes("switch.down:0000000000000008"), { timeoutMs: 3000, what: "hung switch dropped" });
    expect(alive.count("echoRequest")).toBeGreaterThan(0);
    expect(events).not.toContain("switch.down:0000000000000007");
    const r = await ctl.http.inject({ method: "GET", url: "/v1/switches" });
    expect(r.json().switches.map((s: { dpid: string }) => s.dpid)).toEqual(["0000000000000007"]);
  });
});
