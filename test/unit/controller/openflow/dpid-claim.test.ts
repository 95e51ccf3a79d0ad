// A connection that claims a connected switch's datapath id does not take its
// session while the live one answers an echo probe; once the live one stops
// answering (a switch that really reconnected), the claimant takes over.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { waitFor } from "../../../helpers/wait.js";

describe("a second connection claiming a connected datapath id", () => {
  let ctl: RunningController;
  const events: string[] = [];
  const real = new FakeSwitch(0x21n, [1, 2]);
  const impostor = new FakeSwitch(0x21n, [9]);
  const successor = new FakeSwitch(0x21n, [3]);

  beforeAll(async () => {
    ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, echoIntervalMs: 60_000, lldpIntervalMs: 60_000, claimProbeMs: 300 });
    ctl.events.subscribe((e) => events.push(`${e.type}:${String(e.dpid)}`));
    await real.connect(ctl.openflowPort);
    await waitFor(() => events.includes("switch.up:0000000000000021"), { what: "the real switch up" });
  });

  afterAll(async () => {
    for (const s of [real, impostor, successor]) s.close();
    await ctl.close();
  });

  const portsOfSwitch = async () => {
    const r = await ctl.http.inject({ method: "GET", url: "/v1/switches" });
    return r.json().switches as Array<{ dpid: string; remote?: string }>;
  };

  it("is refused while the live session answers: the real switch keeps its session", async () => {
    const echoesBefore = real.count("echoRequest");
    await impostor.connect(ctl.openflowPort);
    await waitFor(() => impostor.socket.destroyed || impostor.socket.readableEnded, { timeoutMs: 5000, what: "the impostor cut" });
    expect(real.count("echoRequest")).toBeGreaterThan(echoesBefore);
    expect(real.socket.destroyed).toBe(false);
    expect(events.filter((e) => e === "switch.up:0000000000000021")).toHaveLength(1);
    expect(events).not.toContain("switch.down:0000000000000021");
    expect((await portsOfSwitch()).map((s) => s.dpid)).toEqual(["0000000000000021"]);
  });

  it("takes over once the live session fails the probe (a switch that reconnected)", async () => {
    real.silent = true;
    await successor.connect(ctl.openflowPort);
    await waitFor(() => events.filter((e) => e === "switch.up:0000000000000021").length === 2, { timeoutMs: 5000, what: "the successor up" });
    await waitFor(() => real.socket.destroyed || real.socket.readableEnded, { timeoutMs: 5000, what: "the old session dropped" });
    expect(successor.socket.destroyed).toBe(false);
  });
});
