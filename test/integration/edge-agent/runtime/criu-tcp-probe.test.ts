// The agent's TCP probe against the CRIU this project installs (4.2.1):
// a real dump of an established connection, leaving nothing behind.
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { expect, it } from "vitest";
import { probeTcpDump } from "../../../../edge-agent/runtime/criu-tcp-probe.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";

const probeDirs = async () => (await readdir(tmpdir())).filter((f) => f.startsWith("fleximigrate-tcp-probe-"));

describeWhen("CRIU TCP dump probe", missing([needs.root(), needs.criu()]), () => {
  it("dumps an established loopback connection with the installed CRIU, and cleans up", async () => {
    const before = await probeDirs();
    expect(await probeTcpDump()).toEqual({ ok: true });
    expect(await probeDirs()).toEqual(before);
  });

  it("says why when the probe cannot get its connection up in time", async () => {
    const probe = await probeTcpDump(0);
    expect(probe.ok).toBe(false);
    expect(probe.reason).toMatch(/no connection after 0 ms|probe process exited/);
  });
});
