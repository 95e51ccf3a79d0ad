// What `fleximigrate status` reads from etcd: each member's own status
// (asked of that member alone, so a dead one shows as unreachable and the
// others still answer), and each election's campaigners in order, the first
// being the leader. No quorum is needed for the members; the elections need
// one (their read is linearizable), and say so when there is none.
import { Etcd3 } from "etcd3";
import type { EtcdEndpoints } from "./endpoints.js";
import { ELECTION_PREFIX } from "./leadership.js";

export interface MemberStatus {
  /** The member's name (from the member list; the endpoint when no member could list them). */
  name: string;
  clientUrl: string;
  reachable: boolean;
  /** Why not, when unreachable. */
  error?: string;
  isLeader?: boolean;
  raftTerm?: string;
  raftIndex?: string;
  dbSizeBytes?: number;
  version?: string;
  /** Alarms or errors the member reports about itself. */
  errors?: string[];
}

export interface ElectionStatus {
  name: string;
  /** Advertised values of every campaigner, the leader first; undefined when it could not be read. */
  candidates?: string[];
  /** The leader's term (its campaign key's create revision). */
  term?: string;
  error?: string;
}

export interface EtcdStatus {
  members: MemberStatus[];
  /** Reachable voting members and how many there are: writes need more than half. */
  quorum: { reachable: number; of: number; ok: boolean };
  elections: ElectionStatus[];
}

/** gRPC's long texts in a word a person can search for (ECONNREFUSED) or one short line. */
const short = (err: unknown): string => {
  const e = err as { message?: string; details?: string };
  const text = e?.details ?? e?.message ?? String(err);
  const code = /\b(E[A-Z]{4,})\b/.exec(text)?.[1];
  if (code) return code;
  if (/deadline/i.test(text)) return "no answer in time";
  return text.replace(/^\d+ [A-Z_]+: /, "").split("\n")[0]!.slice(0, 160);
};

async function withClient<T>(hosts: string[], timeoutMs: number, use: (c: Etcd3) => Promise<T>): Promise<T> {
  const client = new Etcd3({ hosts, dialTimeout: timeoutMs });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

async function memberStatus(name: string, clientUrl: string, timeoutMs: number): Promise<MemberStatus & { id?: string; leaderId?: string }> {
  try {
    const s = await withClient([clientUrl], timeoutMs, (c) => c.maintenance.status({ deadline: Date.now() + timeoutMs }));
    return {
      name,
      clientUrl,
      reachable: true,
      id: s.header.member_id,
      leaderId: s.leader,
      raftTerm: s.raftTerm,
      raftIndex: s.raftIndex,
      dbSizeBytes: Number(s.dbSize),
      version: s.version,
      ...((s as { errors?: string[] }).errors?.length ? { errors: (s as { errors?: string[] }).errors } : {}),
    };
  } catch (err) {
    return { name, clientUrl, reachable: false, error: short(err) };
  }
}

export async function etcdStatus(endpoints: EtcdEndpoints, elections: string[], opts: { timeoutMs?: number } = {}): Promise<EtcdStatus> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  // The member list from the first member that answers it (served locally: no quorum needed).
  let listed: { name: string; clientUrl: string; learner: boolean }[] | undefined;
  for (const host of endpoints.hosts) {
    try {
      const res = await withClient([host], timeoutMs, (c) => c.cluster.memberList({}, { deadline: Date.now() + timeoutMs }));
      listed = res.members.map((m) => ({ name: m.name || m.ID, clientUrl: m.clientURLs[0] ?? "", learner: m.isLearner }));
      break;
    } catch {
      // the next member may answer
    }
  }
  const targets = listed ?? endpoints.hosts.map((h) => ({ name: h, clientUrl: h, learner: false }));
  type Read = MemberStatus & { id?: string; leaderId?: string };
  const notStarted = (name: string): Read => ({ name, clientUrl: "", reachable: false, error: "not started yet (no client URL)" });
  const statuses: Read[] = await Promise.all(targets.map((t) => (t.clientUrl ? memberStatus(t.name, t.clientUrl, timeoutMs) : Promise.resolve(notStarted(t.name)))));
  // A member is the raft leader when the reachable ones say so (each names the leader's id).
  const leaderIds = new Set(statuses.filter((s) => s.reachable && s.leaderId && s.leaderId !== "0").map((s) => s.leaderId!));
  const members: MemberStatus[] = statuses.map(({ id, leaderId: _l, ...s }) => (s.reachable ? { ...s, isLeader: id !== undefined && leaderIds.has(id) } : s));
  const voting = targets.filter((t) => !t.learner).length;
  const reachable = members.filter((m, i) => m.reachable && !targets[i]!.learner).length;
  const quorum = { reachable, of: voting, ok: reachable > voting / 2 };

  const electionStatuses = await withClient(endpoints.hosts, timeoutMs, (c) =>
    Promise.all(
      elections.map(async (name): Promise<ElectionStatus> => {
        try {
          const res = await c
            .namespace(ELECTION_PREFIX)
            .namespace(`election/${name}/`)
            .getAll()
            .sort("Create", "Ascend")
            .options({ deadline: Date.now() + timeoutMs })
            .exec();
          const first = res.kvs[0];
          return { name, candidates: res.kvs.map((kv) => kv.value.toString()), ...(first ? { term: first.create_revision } : {}) };
        } catch (err) {
          return { name, error: quorum.ok ? short(err) : `cannot be read without a quorum (${short(err)})` };
        }
      }),
    ),
  );
  return { members, quorum, elections: electionStatuses };
}
