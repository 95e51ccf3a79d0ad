// The other agent of a migration (migration/peer-agent.ts) over its HTTP API,
// through the one typed AgentClient (src/clients/agent.ts). This adapter only
// keeps the contract the strategies rely on: imageId never throws, and
// migrationStatus tells "answered without a status" from "unreachable".
import { AgentClient } from "../../src/clients/agent.js";
import { ServiceError } from "../../src/http/client-errors.js";
import { type ClientTls, type Fetch, tlsFetch } from "../../src/http/tls-fetch.js";
import type { PeerAgent } from "../migration/peer-agent.js";
import { MIGRATION_TOKEN_HEADER } from "./migration-token.js";

/** A destination polls its source often: one quick try, never a retry that outlasts the poll. */
const STATUS_POLL = { timeoutMs: 2000, retry: false } as const;

export function peerAgent(url: string, tls?: ClientTls): PeerAgent {
  let token: string | undefined;
  // Mutual TLS when the agents have certificates; and every call after the open carries the migration's one-time token (migration-token.ts).
  const transport: Fetch = tls ? tlsFetch(tls, "agent") : (u, init) => fetch(u, init);
  const withToken: Fetch = (input, init = {}) =>
    transport(input, token === undefined ? init : { ...init, headers: { ...(init.headers as Record<string, string> | undefined), [MIGRATION_TOKEN_HEADER]: token } });
  const agent = new AgentClient(url, { fetch: withToken });
  return {
    url,
    async openIncoming(migrationId, workload, source, neighbours) {
      const opened = await agent.openIncoming({ migrationId, workload: { ...workload }, source, ...(neighbours?.length && { neighbours }) });
      token = opened.token;
      return opened;
    },
    token: () => token,
    async prepareIncoming(migrationId, hook, params) {
      try {
        await agent.prepareIncoming(migrationId, { hook, params });
        return true;
      } catch (err) {
        // An agent without the route restores unprepared, as before.
        if (err instanceof ServiceError && err.status === 404) return false;
        throw err;
      }
    },
    restoreIncoming: (migrationId, hook, params) => agent.restoreIncoming(migrationId, { hook, params }),
    commitIncoming: (migrationId) => agent.commitIncoming(migrationId),
    abortIncoming: (migrationId) => agent.abortIncoming(migrationId),
    // "Cannot tell" means the source sends the image: never a reason to fail, nor to wait for retries.
    imageId: (ref) => agent.imageId(ref, { retry: false }).catch(() => undefined),
    async loadImage(migrationId, file, ref) {
      const loaded = await agent.loadImage({ migrationId, file, ref }).catch((err: unknown) => {
        if (err instanceof ServiceError) throw new Error(`docker load on the destination (${url}) answered ${err.status}: ${err.serviceMessage}`);
        throw err;
      });
      if (loaded === "no-route") return loaded;
      if (typeof loaded?.id !== "string") throw new Error(`docker load on the destination (${url}) answered without an image id`);
      return { id: loaded.id };
    },
    async workloadRuns(workloadId) {
      const { workloads } = await agent.workloads({ timeoutMs: 5000, retry: false });
      const w = workloads.find((x) => x.id === workloadId);
      if (w && (w.state === "failed" || w.state === "exited")) return "ended";
      return !!w && (w.pid !== undefined || w.containerId !== undefined) && (w.state === "running" || w.state === "migrating");
    },
    async migrationStatus(migrationId) {
      try {
        return (await agent.migration(migrationId, STATUS_POLL)).status;
      } catch (err) {
        // The source answered (404, 500): it does not say. Unreachable: the caller counts that.
        if (err instanceof ServiceError) return undefined;
        throw err;
      }
    },
  };
}
