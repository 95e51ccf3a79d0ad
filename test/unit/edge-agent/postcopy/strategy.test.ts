import { describe, expect, it } from "vitest";
import type { Capabilities } from "../../../../edge-agent/migration/strategy.js";
import { localAddressTowards, postcopyAvailable } from "../../../../edge-agent/migration/postcopy.js";

const caps = (criu: Partial<Capabilities["criu"]>): Capabilities => ({
  criu: { present: true, checkOk: true, features: {}, ...criu },
  docker: { present: false },
  cgroupCpu: { ok: true },
  strategies: {},
});

describe("post-copy availability", () => {
  it("needs criu, a passing criu check and userfaultfd", () => {
    expect(postcopyAvailable(caps({}))).toEqual({ ok: true });
    expect(postcopyAvailable(caps({ features: { uffd: true, "uffd-noncoop": true } }))).toEqual({ ok: true });
    expect(postcopyAvailable(caps({ present: false }))).toMatchObject({ ok: false, reason: /not installed/ });
    expect(postcopyAvailable(caps({ checkOk: false, error: "vdso" }))).toMatchObject({ ok: false, reason: /check fails: vdso/ });
    expect(postcopyAvailable(caps({ features: { "uffd-noncoop": false } }))).toMatchObject({ ok: false, reason: /userfaultfd/ });
  });
});

describe("page server address", () => {
  it("is the local address on the route to the destination", async () => {
    expect(await localAddressTowards("http://127.0.0.1:7702")).toBe("127.0.0.1");
    expect(await localAddressTowards("http://127.0.0.5:7702/")).toMatch(/^127\./);
  });
});
