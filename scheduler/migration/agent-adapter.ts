// AgentPort over the typed agent client.
import { AgentClient } from "../../src/clients/agent.js";
import { AgentEvents } from "./agent-events.js";
import type { AgentDirectory, AgentPort } from "./ports.js";

export function agentPort(client: AgentClient, endpoint?: string): AgentPort {
  const events = endpoint ? new AgentEvents(endpoint) : undefined;
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
export function agentDirectory(): AgentDirectory {
  const clients = new Map<string, AgentPort>();
  return (endpoint, node) => {
    let port = clients.get(endpoint);
    if (!port) {
      port = agentPort(new AgentClient(endpoint, { node }), endpoint);
      clients.set(endpoint, port);
    }
    return port;
  };
}
