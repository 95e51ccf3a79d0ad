// `fleximigrate status` as text: the members with their state (or why not),
// the quorum, and per service its leader and each replica's own view.
import { describe, expect, it } from "vitest";
import { renderStatus, type StatusReport } from "../../../../src/cli/status.js";

const report: StatusReport = {
  store: "etcd://127.0.0.1:2379,127.0.0.1:2381,127.0.0.1:2383",
  etcd: {
    members: [
      { name: "e0", clientUrl: "http://127.0.0.1:2379", reachable: true, isLeader: true, raftTerm: "3", dbSizeBytes: 20480, version: "3.5.16" },
      { name: "e1", clientUrl: "http://127.0.0.1:2381", reachable: true, isLeader: false, raftTerm: "3", dbSizeBytes: 3 << 20, version: "3.5.16" },
      { name: "e2", clientUrl: "http://127.0.0.1:2383", reachable: false, error: "ECONNREFUSED" },
    ],
    quorum: { reachable: 2, of: 3, ok: true },
    elections: [],
  },
  services: [
    {
      name: "scheduler",
      leader: "http://s1:8088",
      term: "9",
      replicas: [
        { url: "http://s1:8088", view: { role: "leader", leader: "http://s1:8088", term: "9" }, health: "ok" },
        { url: "http://s2:8088", health: "unreachable: ECONNREFUSED" },
      ],
    },
    { name: "controller", leader: null, term: null, replicas: [] },
  ],
};

describe("renderStatus", () => {
  it("shows members, quorum, leaders and each replica", () => {
    const text = renderStatus(report);
    expect(text).toContain("2 of 3 members reachable, quorum: writes go on");
    expect(text).toMatch(/e0\s+http:\/\/127\.0\.0\.1:2379\s+reachable\s+yes\s+3\s+20 KiB\s+3\.5\.16/);
    expect(text).toMatch(/e1 .* 3\.0 MiB/);
    expect(text).toMatch(/e2\s+http:\/\/127\.0\.0\.1:2383\s+unreachable: ECONNREFUSED/);
    expect(text).toContain("scheduler: leader http://s1:8088 (term 9)");
    expect(text).toMatch(/http:\/\/s1:8088\s+leader\s+9\s+http:\/\/s1:8088\s+ok/);
    expect(text).toMatch(/http:\/\/s2:8088\s+-\s+-\s+-\s+unreachable: ECONNREFUSED/);
    expect(text).toContain("controller: no replica campaigns in etcd");
  });

  it("says when there is no quorum and the leaders cannot be read", () => {
    const text = renderStatus({
      ...report,
      etcd: { ...report.etcd, quorum: { reachable: 1, of: 3, ok: false } },
      services: [{ name: "scheduler", leader: null, term: null, error: "cannot be read without a quorum (no answer in time)", replicas: [] }],
    });
    expect(text).toContain("NO QUORUM: writes stop until members return");
    expect(text).toContain("scheduler: leader unknown: cannot be read without a quorum (no answer in time)");
  });
});
