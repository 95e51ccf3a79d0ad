// PeerAgent over HTTP with fetch: the agent-to-agent calls of a migration
// (the routes are in incoming.ts, images.ts and migrations.ts). The one place
// this agent speaks to other agents, apart from the streamed image upload
// (transfer/sender.ts).
import type { PeerAgent } from "../migration/peer-agent.js";
import type { WorkloadRecord } from "../runtime/types.js";

export function peerAgent(url: string): PeerAgent {
  return {
    url,
    async openIncoming(migrationId: string, workload: WorkloadRecord, source: string) {
      await postJson(`${url}/v1/incoming`, { migrationId, workload, source });
    },
    restoreIncoming(migrationId: string, hook: string, params: Record<string, unknown>) {
      return postJson<{ workloadId: string; pid?: number }>(`${url}/v1/incoming/${migrationId}/restore`, { hook, params }, 60_000);
    },
    async commitIncoming(migrationId: string) {
      await postJson(`${url}/v1/incoming/${migrationId}/commit`, {});
    },
    async abortIncoming(migrationId: string) {
      await postJson(`${url}/v1/incoming/${migrationId}/abort`, {});
    },
    async imageId(ref: string) {
      try {
        const res = await fetch(`${url}/v1/images?ref=${encodeURIComponent(ref)}`, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) return undefined;
        const body = (await res.json()) as { id?: unknown };
        return typeof body.id === "string" ? body.id : undefined;
      } catch {
        return undefined;
      }
    },
    async loadImage(migrationId: string, file: string, ref: string) {
      const res = await fetch(`${url}/v1/images`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ migrationId, file, ref }),
        signal: AbortSignal.timeout(120_000),
      });
      if (res.status === 404) return "no-route";
      const text = await res.text();
      let body: { id?: unknown; message?: string } = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        // not JSON: the raw text goes into the error below
      }
      if (!res.ok || typeof body.id !== "string") throw new Error(`docker load on the destination answered ${res.status}: ${body.message ?? text}`);
      return { id: body.id };
    },
    async migrationStatus(migrationId: string) {
      const res = await fetch(`${url}/v1/migrations/${migrationId}`, { signal: AbortSignal.timeout(2000) });
      const rec = (await res.json()) as { status?: string };
      return res.ok ? rec.status : undefined;
    },
  };
}

async function postJson<T = unknown>(url: string, body: unknown, timeoutMs = 30_000): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}: ${(data as { message?: string }).message ?? text}`);
  return data as T;
}
