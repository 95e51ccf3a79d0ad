// Schemas of the main answers, for the OpenAPI document. fastify serializes
// with them too, so every field an answer carries must be listed here.
import { attributeCertSchema, regulationSchema } from "./data-protection-schemas.js";

export const taskRequestSchema = {
  type: "object",
  required: ["id", "device", "workload", "inputClass", "delayBudgetMs"],
  properties: {
    id: { type: "string" },
    device: { type: "string" },
    workload: { type: "string" },
    inputClass: { type: "string" },
    delayBudgetMs: { type: "number" },
    priority: { type: "integer" },
    requestsPerSec: { type: "number" },
    regulation: regulationSchema,
    group: {
      type: "object",
      required: ["name", "member", "order", "replica"],
      properties: { name: { type: "string" }, member: { type: "string" }, order: { type: "integer" }, replica: { type: "integer" } },
    },
    serviceType: { type: "string" },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
} as const;

export const migrationRecordSchema = {
  type: "object",
  required: ["id", "task", "from", "to", "cpuShare", "status", "requestedAt"],
  properties: {
    id: { type: "string" },
    task: taskRequestSchema,
    from: { type: "string" },
    to: { type: "string" },
    cpuShare: { type: "number", description: "Cores on the new node" },
    fromEndpoint: { type: "string" },
    toEndpoint: { type: "string" },
    status: { type: "string", enum: ["requested", "running", "done", "failed"] },
    requestedAt: { type: "string", format: "date-time" },
    error: { type: "string" },
    state: { type: "string", enum: ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED", "ROLLING_BACK", "FAILED"] },
    strategy: { type: ["string", "null"] },
    reason: { type: ["string", "null"], description: "Why this strategy (or why none)" },
    timeline: {
      type: "array",
      items: {
        type: "object",
        required: ["at", "state", "component", "message"],
        properties: { at: { type: "string" }, state: { type: "string" }, component: { type: "string" }, message: { type: "string" } },
      },
    },
    log: { type: "array", items: { type: "string" }, description: "LEVEL [Component]: Message - Transitioning: A -> B" },
    metrics: {
      type: "object",
      properties: Object.fromEntries(
        [
          "totalMs",
          "frozenMs",
          "dumpMs",
          "transferMs",
          "restoreMs",
          "bytesBeforeResume",
          "bytesAfterResume",
          "pagesOnFault",
          "pagesPushed",
          "networkReconfigurationMs",
          "resumeToRedirectMs",
          "decisionToAgentStartMs",
          "deviceSeenDowntimeMs",
          "destinationRanMs",
        ].map((k) => [k, { type: ["number", "null"] }]),
      ),
      additionalProperties: { type: ["number", "boolean", "null"] },
    },
    agentMigrationId: { type: "string" },
    destinationWorkloadId: { type: "string" },
    policy: {
      type: "object",
      description: "The migration policies' decision in PLANNING (docs/policies.md)",
      required: ["decidedBy", "allow", "reason", "priority", "gradualRedirect", "notify", "constraints"],
      properties: {
        decidedBy: { type: ["string", "null"], description: "The deciding policy; null when the default decided" },
        allow: { type: "boolean" },
        reason: { type: "string" },
        priority: { type: "string", enum: ["low", "normal", "high"] },
        requireStrategy: { type: "string" },
        gradualRedirect: { type: "boolean" },
        notify: { type: "array", items: { type: "string" } },
        constraints: {
          type: "object",
          properties: { max_concurrent_migrations: { type: "number" }, migration_duration: { type: "number" }, max_bandwidth_mbps: { type: "number" } },
        },
      },
    },
  },
} as const;

export const placedSchema = {
  type: "object",
  required: ["task", "node", "endpoint", "serviceIp", "dnsName", "port", "cpuShare", "predictedDelayMs", "case", "migrations"],
  properties: {
    task: taskRequestSchema,
    node: { type: "string" },
    endpoint: { type: ["string", "null"], description: "The node's agent, when one registered" },
    serviceIp: { type: ["string", "null"], description: "Where the workload answers wherever it runs (null: no agent runs it)" },
    dnsName: { type: ["string", "null"], description: "TASK.svc.<zone> (null without a controller)" },
    port: { type: ["integer", "null"] },
    cpuShare: { type: "number", description: "Cores granted" },
    predictedDelayMs: { type: "number" },
    case: { type: ["integer", "null"], description: "1: edge fits, 2: cloud, 3: edge after moving other tasks" },
    migrations: { type: "array", items: migrationRecordSchema },
  },
} as const;

export const placementSchema = {
  type: "object",
  required: ["request", "node", "endpoint", "cpuShare", "predictedDelayMs", "seq"],
  properties: {
    request: taskRequestSchema,
    node: { type: "string" },
    endpoint: { type: ["string", "null"] },
    cpuShare: { type: "number" },
    predictedDelayMs: { type: "number" },
    seq: { type: "integer" },
    serviceIp: { type: ["string", "null"] },
    dnsName: { type: ["string", "null"] },
    port: { type: ["integer", "null"] },
    unavailable: { type: "boolean", description: "Its node stopped reporting (--report-timeout)" },
    missing: { type: "boolean", description: "Its node's agent does not report its workload (GET /v1/reconciliation)" },
  },
} as const;

export const nodeViewSchema = {
  type: "object",
  required: ["name", "tier", "cpus", "netDelayMs", "usedCpus", "cpuUsage", "placements"],
  properties: {
    name: { type: "string" },
    tier: { type: "string", enum: ["edge", "cloud"] },
    cpus: { type: "number" },
    netDelayMs: { type: "number" },
    endpoint: { type: "string" },
    attributeCert: attributeCertSchema,
    usedCpus: { type: "number" },
    cpuUsage: { type: "number", description: "usedCpus / cpus" },
    placements: { type: "integer" },
    report: { type: "object", additionalProperties: true, description: "The agent's last report, as sent" },
    reportedAt: { type: "string", format: "date-time" },
    certificate: {
      type: "object",
      required: ["valid"],
      description: "With data protection: whether its attribute certificate verifies now, and why not",
      properties: { valid: { type: "boolean" }, reason: { type: "string" } },
    },
  },
} as const;
