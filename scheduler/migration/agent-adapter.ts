// AgentPort over the typed agent client.
import { AgentClient } from "../../src/clients/agent.js";
import type { ClientTls } from "../../src/http/tls-fetch.js";
import { AgentEvents } from "./agent-events.js";
import type { AgentDirectory, AgentPort } from "./ports.js";

export function agentPort(client: AgentClient, endpoint?: string, tls?: ClientTls): AgentPort {
  const events = endpoint ? new AgentEvents(endpoint, tls) : undefined;
  return {
    ...(events && { followMigration: (id: string, listener: (e: Record<string, unknown>) => void) => events.follow(id, listener) }),
    info: () => client.info(),
    workloads: async () => (await client.workloads()).workloads,
    createWorkload: (w) => client.createWorkload(w, { timeoutMs: 60_000 }),
    deleteWorkload: (id) => client.deleteWorkload(id, { timeoutMs: 30_000 }),
    startMigration: (input) => client.startMigration(input, { timeoutMs: 30_000 }),
    migration: (id) => client.migration(id),
    migrations: async () => (await client.migrations()).migrations,
    commitMigration: (id) => client.commitMigration(id, { timeoutMs: 60_000 }),
    rollbackMigration: (id) => client.rollbackMigration(id, { timeoutMs: 120_000 }),
  };
}

/** One client per endpoint, kept. */
/** `tls`: the scheduler's certificate, for agents that speak HTTPS (mutual TLS). */
export function agentDirectory(tls?: ClientTls): AgentDirectory {
  const clients = new Map<string, AgentPort>();
  return (endpoint, node) => {
    let port = clients.get(endpoint);
    if (!port) {
      port = agentPort(new AgentClient(endpoint, { node, ...(tls ? { tls } : {}) }), endpoint, tls);
      clients.set(endpoint, port);
    }
    return port;
  };
}
