// Who a PID is: the start time (field 22 of /proc/PID/stat, after a command
// that may hold spaces and parentheses) and the cgroup v1 cpu group.
import { describe, expect, it } from "vitest";
import { parseCgroupOf, parseStartTime, processIdentity } from "../../../../edge-agent/runtime/proc-identity.js";

describe("process identity", () => {
  it("reads field 22 after a command with spaces and parentheses", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // fields 3.. as their own numbers
    fields[0] = "S";
    const line = `4242 (a b) (c)) ${fields.join(" ")}`;
    expect(parseStartTime(line)).toBe(22);
    expect(parseStartTime("garbage")).toBeUndefined();
    expect(parseStartTime("1 (x) S 1 2")).toBeUndefined();
  });

  it("finds the cpu group among cgroup v1 lines (joined controllers too)", () => {
    const text = "12:memory:/fleximigrate/n1/w1.ab12cd34\n4:cpu,cpuacct:/fleximigrate/n1/w1.ab12cd34\n1:name=systemd:/init.scope\n";
    expect(parseCgroupOf(text, "cpu")).toBe("fleximigrate/n1/w1.ab12cd34");
    expect(parseCgroupOf(text, "cpuacct")).toBe("fleximigrate/n1/w1.ab12cd34");
    expect(parseCgroupOf("0::/user.slice\n", "cpu")).toBeUndefined();
  });

  it("reads this very process, and nothing for a PID that does not exist", () => {
    const me = processIdentity(process.pid);
    expect(me?.startTime).toBeGreaterThan(0);
    expect(me?.zombie).toBe(false);
    expect(processIdentity(2 ** 22 + 7)).toBeUndefined();
  });
});
