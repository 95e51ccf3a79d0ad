// The agent's cgroup v1 groups for real: a removed workload's group goes, and
// so do its node's and the project's parent groups once nothing else is in them.
import { existsSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { CGROUP_ROOT, createGroup, groupPath, removeGroup } from "../../../../edge-agent/runtime/cgroup.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";

const cpu = (group: string) => path.join(CGROUP_ROOT, "cpu", group);

describeWhen("agent cgroups", missing([needs.root(), [() => existsSync(path.join(CGROUP_ROOT, "cpu", "cpu.cfs_quota_us")), "no cgroup v1 cpu controller"]]), () => {
  it("removes the workload's group and the parents it emptied, and keeps a parent still in use", async () => {
    const node = `fm-cgtest-${process.pid}`;
    const [a, b] = [groupPath(node, "w1"), groupPath(node, "w2")];
    const rootExisted = existsSync(cpu("fleximigrate"));
    await createGroup(a, 0.5);
    await createGroup(b, 0.25);
    await removeGroup(a);
    expect(existsSync(cpu(a))).toBe(false);
    expect(existsSync(cpu(path.dirname(b)))).toBe(true);
    await removeGroup(b);
    expect(existsSync(cpu(path.dirname(b)))).toBe(false);
    // The project's root group goes too, unless something else of ours lives there.
    if (!rootExisted) expect(existsSync(cpu("fleximigrate"))).toBe(false);
  });
});
