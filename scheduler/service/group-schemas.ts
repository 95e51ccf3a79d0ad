// Schemas of the group answers (fastify serializes with them: every field listed).
const memberSchema = {
  type: "object",
  required: ["task", "member", "replica", "order", "from", "runsOn", "phase", "state", "migration", "backMigration", "backState", "downtimeMs"],
  properties: {
    task: { type: "string" },
    member: { type: "string" },
    replica: { type: "integer" },
    order: { type: "integer" },
    from: { type: "string" },
    runsOn: { type: "string", description: "Where it runs now (its placement)" },
    phase: { type: "string", enum: ["Start", "Snapshot", "Ready", "In process", "Migrated", "Failed", "Moved back"] },
    state: { type: ["string", "null"], description: "Its move's state machine state" },
    migration: { type: ["string", "null"] },
    backMigration: { type: ["string", "null"], description: "The move back after a group rollback" },
    backState: { type: ["string", "null"] },
    downtimeMs: { type: ["number", "null"] },
    error: { type: "string" },
  },
} as const;

const roundSchema = {
  type: "object",
  required: ["round", "parallelism", "reason", "tasks", "startedAt", "endedAt", "transfers"],
  properties: {
    round: { type: "integer" },
    parallelism: { type: "integer", description: "How many the balancer allowed at once" },
    reason: { type: "string" },
    tasks: { type: "array", items: { type: "string" } },
    startedAt: { type: "string" },
    endedAt: { type: ["string", "null"] },
    transfers: {
      type: "array",
      items: {
        type: "object",
        required: ["task", "bytes", "ms", "mbps"],
        properties: { task: { type: "string" }, bytes: { type: "number" }, ms: { type: "number" }, mbps: { type: "number" } },
      },
    },
  },
} as const;

export const groupMigrationSchema = {
  type: "object",
  required: ["id", "group", "to", "onFailure", "strategy", "state", "requestedAt", "finishedAt", "totalMs", "members", "rounds", "log"],
  properties: {
    id: { type: "string" },
    group: { type: "string" },
    to: { type: "string" },
    onFailure: { type: "string", enum: ["rollback", "leave"] },
    strategy: { type: "string" },
    state: { type: "string", enum: ["running", "completed", "rolling-back", "rolled-back", "left", "failed"] },
    requestedAt: { type: "string" },
    finishedAt: { type: ["string", "null"] },
    totalMs: { type: ["number", "null"], description: "Request until the outcome" },
    error: { type: "string" },
    members: { type: "array", items: memberSchema },
    rounds: { type: "array", items: roundSchema },
    log: { type: "array", items: { type: "string" } },
  },
} as const;

export const groupViewSchema = {
  type: "object",
  required: ["name", "members"],
  properties: {
    name: { type: "string" },
    members: {
      type: "array",
      items: {
        type: "object",
        required: ["task", "member", "replica", "order", "node"],
        properties: { task: { type: "string" }, member: { type: "string" }, replica: { type: "integer" }, order: { type: "integer" }, node: { type: "string" } },
      },
    },
  },
} as const;
