// Who leads an election, read from etcd itself: the campaign key with the
// lowest create revision (as etcd's own concurrency package decides), read
// again on every change under the election's prefix. etcd3's
// ElectionObserver is not used: when several campaigns start together it can
// take the last of a batch of puts for the leader and then watch that key
// only, naming a standby as leader until it dies.
import type { Etcd3, Namespace } from "etcd3";

/** The elections' key prefix, under which etcd3's Election keeps its own `election/NAME/`. */
export const ELECTION_PREFIX = "/fleximigrate/election/";

export interface LeaderWatch {
  /** The leader's advertised value as last read; undefined when nobody leads. */
  leader(): string | undefined;
  cancel(): Promise<void>;
}

/** The election's keys, as etcd3's Election names them under our prefix. */
function electionKeys(client: Etcd3, name: string): Namespace {
  return client.namespace(ELECTION_PREFIX).namespace(`election/${name}/`);
}

/** One read: the leader's advertised value, undefined when nobody campaigns. */
export async function readLeader(client: Etcd3, name: string, opts: { timeoutMs?: number } = {}): Promise<string | undefined> {
  const ns = electionKeys(client, name);
  const res = await ns
    .getAll()
    .sort("Create", "Ascend")
    .limit(1)
    .options(opts.timeoutMs === undefined ? {} : { deadline: Date.now() + opts.timeoutMs })
    .exec();
  return res.kvs[0]?.value.toString();
}

export async function watchLeader(client: Etcd3, name: string, onChange: (leader: string | undefined) => void, onError: (err: Error) => void = () => {}): Promise<LeaderWatch> {
  let current = await readLeader(client, name);
  let cancelled = false;
  let chain = Promise.resolve();
  // Reads in order, so a slow read never overwrites a later one.
  const refresh = (): void => {
    chain = chain
      .then(async () => {
        if (cancelled) return;
        const value = await readLeader(client, name);
        if (cancelled || value === current) return;
        current = value;
        onChange(value);
      })
      .catch((err: Error) => onError(err));
  };
  const watcher = await electionKeys(client, name).watch().prefix("").create();
  watcher.on("put", refresh);
  watcher.on("delete", refresh);
  // After a lost connection the watch resumes; what changed meanwhile is read again.
  watcher.on("connected", refresh);
  watcher.on("error", (err: Error) => onError(err));
  return {
    leader: () => current,
    async cancel() {
      cancelled = true;
      await watcher.cancel().catch(() => undefined);
    },
  };
}
