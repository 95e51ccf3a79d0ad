// What a switch connection does with messages the controller does not act on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { OFPBRC, OFPET } from "../../../../src/openflow/index.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { waitFor } from "../../../helpers/wait.js";

describe("switch connection", () => {
  let ctl: RunningController;
  const sw = new FakeSwitch(9n, [1]);

  beforeAll(async () => {
    ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 60_000 });
    await sw.connect(ctl.openflowPort);
    await waitFor(async () => (await ctl.http.inject({ method: "GET", url: "/v1/switches" })).json().switches.length === 1, { what: "switch up" });
  });

  afterAll(async () => {
    sw.close();
    await ctl.close();
  });

  it("answers an experimenter message with BAD_REQUEST/BAD_EXPERIMENTER carrying its xid and bytes, and stays connected", async () => {
    sw.send({ type: "experimenter", xid: 4242, experimenter: 0x2320, expType: 7, data: Buffer.from("0102", "hex") });
    await waitFor(() => sw.received.some((m) => m.type === "error" && m.xid === 4242), { what: "ERROR for the experimenter message" });
    const reply = sw.received.find((m) => m.type === "error" && m.xid === 4242);
    expect(reply).toEqual({
      type: "error",
      xid: 4242,
      errType: OFPET.BAD_REQUEST,
      code: OFPBRC.BAD_EXPERIMENTER,
      // The whole message: header (length 18, xid 0x1092), experimenter 0x2320, type 7, then its two bytes.
      data: Buffer.from("04040012" + "00001092" + "00002320" + "00000007" + "0102", "hex"),
    });
    const r = await ctl.http.inject({ method: "GET", url: "/v1/switches" });
    expect(r.json().switches).toHaveLength(1);
  });
});
