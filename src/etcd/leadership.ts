// One process's place in an etcd election: it campaigns with its own address,
// learns who leads, and hears when it gains or loses the lead. A lost lease
// (etcd unreachable longer than the TTL, or the key revoked) deposes at once
// and campaigns again, so two processes never both believe they lead for
// longer than the lease lets etcd's own view differ from theirs.
//
// The term is the campaign key's create revision: etcd's revisions only grow,
// so a later leader always has a larger term (OpenFlow generation ids and
// write fences are taken from it).
import { type Campaign, ClientClosedError, Election, type Etcd3 } from "etcd3";
import { ELECTION_PREFIX, type LeaderWatch, watchLeader } from "./leader-watch.js";

export interface LeadershipEvents {
  /** This process leads from now on, in `term`. */
  elected(term: bigint): void;
  /** This process no longer leads (its lease was lost or it resigned). */
  deposed(reason: string): void;
  /** The leader's advertised value changed (undefined: nobody leads now). */
  leader(value: string | undefined): void;
}

export interface Fence {
  /** The campaign key: a write fenced by it commits only while it exists with `createRevision`. */
  key: string;
  createRevision: string;
}

export interface Leadership {
  readonly name: string;
  readonly self: string;
  isLeader(): boolean;
  /** The leader's advertised value as last observed, or undefined. */
  leader(): string | undefined;
  /** This process's term while it leads. */
  term(): bigint | undefined;
  /** While leading: the compare that makes a transaction commit only under this term. */
  fence(): Fence | undefined;
  on<E extends keyof LeadershipEvents>(event: E, handler: LeadershipEvents[E]): () => void;
  /** The leader's term as etcd holds it now (its campaign key's create revision); undefined when nobody leads. */
  leaderTerm(): Promise<bigint | undefined>;
  /** Gives up the lead now (a fenced-out write, a failed take-over) and campaigns again after the retry wait. */
  stepDown(reason: string): Promise<void>;
  /** Resigns (a standby takes over at once, not after the TTL) and stops observing. */
  close(): Promise<void>;
}

export interface LeadershipOptions {
  /** Lease TTL, seconds: how long a dead leader keeps the lead. */
  ttlS?: number;
  /** Wait before campaigning again after a lost lease, ms. */
  retryMs?: number;
  onError?: (err: Error) => void;
}

export { ELECTION_PREFIX } from "./leader-watch.js";

export async function joinElection(client: Etcd3, name: string, self: string, opts: LeadershipOptions = {}): Promise<Leadership> {
  const ttlS = opts.ttlS ?? 3;
  const retryMs = opts.retryMs ?? 500;
  const election = client.namespace(ELECTION_PREFIX).election(name, ttlS);
  const handlers: { [E in keyof LeadershipEvents]: Set<LeadershipEvents[E]> } = { elected: new Set(), deposed: new Set(), leader: new Set() };
  const emit = <E extends keyof LeadershipEvents>(event: E, ...args: Parameters<LeadershipEvents[E]>): void => {
    for (const h of handlers[event]) (h as (...a: Parameters<LeadershipEvents[E]>) => void)(...args);
  };
  let campaign: Campaign | undefined;
  let leading: { term: bigint; fence: Fence } | undefined;
  let observed: string | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const depose = (reason: string): void => {
    if (!leading) return;
    leading = undefined;
    emit("deposed", reason);
  };

  const run = (): void => {
    if (closed) return;
    const mine = election.campaign(self);
    campaign = mine;
    mine.on("elected", () => {
      void (async () => {
        try {
          const key = await mine.getCampaignKey();
          const kv = (await client.get(key).exec()).kvs[0];
          if (!kv || campaign !== mine || closed) throw new Error("the campaign key vanished as it was elected");
          leading = { term: BigInt(kv.create_revision), fence: { key, createRevision: kv.create_revision } };
          emit("elected", leading.term);
        } catch (err) {
          opts.onError?.(err as Error);
          await mine.resign().catch(() => undefined);
          if (campaign === mine) again();
        }
      })();
    });
    mine.on("error", (err: Error) => {
      if (campaign !== mine) return;
      depose(`lease lost: ${err.message}`);
      // A closed client ends the campaign for good; anything else is campaigned again.
      if (err instanceof ClientClosedError) {
        campaign = undefined;
        return;
      }
      opts.onError?.(err);
      again();
    });
  };
  const again = (): void => {
    campaign = undefined;
    if (!closed) retry = setTimeout(run, retryMs);
  };

  const observer: LeaderWatch = await watchLeader(
    client,
    name,
    (value) => {
      observed = value;
      emit("leader", value);
    },
    (err) => opts.onError?.(err),
  );
  observed = observer.leader();
  run();

  return {
    name,
    self,
    isLeader: () => leading !== undefined,
    leader: () => observed,
    term: () => leading?.term,
    fence: () => leading?.fence,
    on(event, handler) {
      handlers[event].add(handler as never);
      return () => handlers[event].delete(handler as never);
    },
    async leaderTerm() {
      // etcd3's election keeps its candidates under election/NAME/; the oldest one leads.
      const first = await client.namespace(`${ELECTION_PREFIX}${Election.prefix}/${name}/`).getAll().sort("Create", "Ascend").limit(1).exec();
      const kv = first.kvs[0];
      return kv ? BigInt(kv.create_revision) : undefined;
    },
    async stepDown(reason) {
      const mine = campaign;
      if (closed || !mine) return;
      campaign = undefined;
      depose(reason);
      await mine.resign().catch(() => undefined);
      if (!closed && campaign === undefined) again();
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const mine = campaign;
      campaign = undefined;
      depose("resigned");
      await mine?.resign().catch(() => undefined);
      await observer.cancel().catch(() => undefined);
    },
  };
}
