// Nodes: agents (or `up`, or an operator) register edge and cloud nodes, then
// report their load every few seconds; GET shows capacity, use and last report.
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { FREE_FORM_BOUNDS, freeFormObjectSchema, freeFormSchema } from "../../src/http/validation.js";
import type { NodeSpec, NodeUsage } from "../placement/types.js";
import type { NodeRegistration } from "../../src/api-types/scheduler.js";
import { CertificateFormatError, parseCertificate } from "../../src/pca/certificate.js";
import { proofProblem } from "../../src/pca/proof.js";
import type { ServiceContext } from "./context.js";
import { attributeCertSchema } from "./data-protection-schemas.js";
import { reconcileReport } from "./reconciliation.js";
import { nodeViewSchema } from "./response-schemas.js";

export const NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$";

const nodeSpecSchema = {
  type: "object",
  required: ["name", "tier", "cpus", "netDelayMs"],
  additionalProperties: false,
  properties: {
    name: { type: "string", pattern: NAME_PATTERN },
    tier: { type: "string", enum: ["edge", "cloud"] },
    cpus: { type: "number", minimum: 0.001, maximum: 4096, description: "Cores (millicore precision)" },
    netDelayMs: { type: "number", minimum: 0, maximum: 600000 },
    endpoint: { type: "string", pattern: "^https?://[^\\s]+$", maxLength: 2048 },
    attributeCert: attributeCertSchema,
    proof: {
      type: "object",
      required: ["at", "signature"],
      additionalProperties: false,
      description: "With attributeCert: the node key's signature over this registration (src/pca/proof.ts)",
      properties: { at: { type: "string", maxLength: 40 }, signature: { type: "string", pattern: "^[A-Za-z0-9_-]{86}$" } },
    },
  },
} as const;

const nameParams = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", pattern: NAME_PATTERN } },
} as const;

// Agents add fields as they grow: known ones are type-checked, the rest kept
// as sent. What is kept is stored and answered back in every GET, so each
// free-form part is bounded in depth and size (a report nested thousands deep
// once broke GET /v1/nodes until the node reported again).
const reportSchema = {
  type: "object",
  maxProperties: 32,
  propertyNames: { maxLength: 64 },
  additionalProperties: freeFormSchema(),
  properties: {
    cpu: {
      type: "object",
      maxProperties: 16,
      additionalProperties: freeFormSchema(),
      properties: { usage: { type: "number", minimum: 0 }, cores: { type: "number", minimum: 0 } },
    },
    memory: freeFormObjectSchema(),
    load: { anyOf: [{ type: "number" }, { type: "array", maxItems: 16, items: { type: "number" } }] },
    workloads: { type: "array", maxItems: 1024, items: freeFormObjectSchema({ ...FREE_FORM_BOUNDS, depth: 3 }) },
    capabilities: freeFormObjectSchema(),
  },
};

type NodeBody = NodeRegistration;
type NameParams = { name: string };

export interface NodeView extends NodeUsage {
  report?: Record<string, unknown>;
  reportedAt?: string;
  certificate?: { valid: boolean; reason?: string };
}

export function nodesPlugin(ctx: ServiceContext): FastifyPluginAsync {
  const view = (node: NodeUsage): NodeView => {
    const r = ctx.reports.get(node.name);
    const v: NodeView = r ? { ...node, report: r.report, reportedAt: r.receivedAt } : { ...node };
    // What data protection thinks of its certificate right now (an operator's first question when a regulated task is refused).
    const problem = ctx.policy.admission?.certificateProblem;
    if (problem && node.attributeCert) {
      const reason = problem(node);
      v.certificate = reason ? { valid: false, reason } : { valid: true };
    }
    return v;
  };
  const find = (name: string) => ctx.policy.nodes().find((n) => n.name === name);

  return async (app) => {
    app.get(
      "/v1/nodes",
      { schema: { tags: ["nodes"], summary: "Nodes with capacity, use and last report", response: { 200: { type: "array", items: nodeViewSchema } } } },
      async () =>
      ctx.policy.nodes().map(view),
    );

    app.get<{ Params: NameParams }>(
      "/v1/nodes/:name",
      { schema: { tags: ["nodes"], summary: "One node", params: nameParams, response: { 200: nodeViewSchema, 404: errorSchema } } },
      async (req) => {
        const node = find(req.params.name);
        if (!node) throw ApiError.notFound(`no node '${req.params.name}'`);
        return view(node);
      },
    );

    app.post<{ Body: NodeBody }>(
      "/v1/nodes",
      {
        schema: {
          tags: ["nodes"],
          summary: "Register a node (idempotent for the same spec)",
          body: nodeSpecSchema,
          response: { 200: nodeViewSchema, 201: nodeViewSchema, 400: errorSchema, 409: errorSchema, 503: errorSchema },
        },
      },
      async (req, reply) => {
        const { proof, ...spec } = req.body;
        // Well formed, and presented by the holder of its node key; whether it is trusted is asked where it
        // matters (placement, PLANNING).
        if (spec.attributeCert) {
          try {
            parseCertificate(spec.attributeCert);
          } catch (err) {
            if (err instanceof CertificateFormatError) throw ApiError.badRequest(`body/attributeCert: ${err.message}`);
            throw err;
          }
          const unproven = proofProblem(spec, spec.attributeCert, proof, ctx.now());
          if (unproven) throw ApiError.badRequest(`body/proof: ${unproven}`);
        } else if (proof) throw ApiError.badRequest("body/proof: only with an attributeCert");
        const existing = find(spec.name);
        if (existing) {
          if (sameSpec(existing, spec)) {
            if (sameCert(existing, spec)) return reply.code(200).send(view(existing));
            // A renewed (or dropped) certificate on the same capacity: kept even while tasks run there.
            const before = existing.attributeCert;
            ctx.policy.setAttributeCert(spec.name, spec.attributeCert);
            try {
              await ctx.durable.commit([ctx.durable.node(spec)]);
            } catch (err) {
              ctx.policy.setAttributeCert(spec.name, before);
              throw err;
            }
            ctx.events.emit({ type: "node-registered", node: spec });
            return reply.code(200).send(view(find(spec.name)!));
          }
          // A changed spec replaces an idle node; a busy one keeps its placements' capacity.
          if (existing.placements > 0) {
            throw ApiError.conflict(`node '${spec.name}' is registered with another spec and has ${existing.placements} placement(s)`, {
              node: specOf(existing),
            });
          }
          ctx.policy.removeNode(spec.name);
        }
        ctx.policy.addNode(spec);
        try {
          await ctx.durable.commit([ctx.durable.node(spec)]);
        } catch (err) {
          // As it was: the new node leaves (unless a task was placed on it meanwhile), the replaced one comes back.
          if (ctx.policy.removeNode(spec.name) && existing) ctx.policy.addNode(specOf(existing));
          throw err;
        }
        ctx.events.emit({ type: "node-registered", node: spec });
        return reply.code(existing ? 200 : 201).send(view(find(spec.name)!));
      },
    );

    app.delete<{ Params: NameParams }>(
      "/v1/nodes/:name",
      {
        schema: { tags: ["nodes"], summary: "Remove a node without placements", params: nameParams, response: { 404: errorSchema, 409: errorSchema, 503: errorSchema } },
      },
      async (req, reply) => {
        const node = find(req.params.name);
        if (!node) throw ApiError.notFound(`no node '${req.params.name}'`);
        if (node.placements > 0 || !ctx.policy.removeNode(node.name)) {
          throw ApiError.conflict(`node '${node.name}' has ${node.placements} placement(s); release them first`);
        }
        try {
          await ctx.durable.commit([ctx.durable.nodeRemoved(node.name)]);
        } catch (err) {
          ctx.policy.addNode(specOf(node)); // removed, so nothing was placed on it meanwhile
          throw err;
        }
        ctx.reports.delete(node.name);
        for (const d of ctx.reconciler.forgetNode(node.name)) ctx.events.emit({ type: "reconcile.resolved", ...d });
        ctx.events.emit({ type: "node-removed", node: node.name });
        return reply.code(204).send();
      },
    );

    app.put<{ Params: NameParams; Body: Record<string, unknown> }>(
      "/v1/nodes/:name/report",
      {
        schema: {
          tags: ["nodes"],
          summary: "An agent's periodic load report",
          params: nameParams,
          body: reportSchema,
          response: { 400: errorSchema, 404: errorSchema },
        },
      },
      async (req) => {
        const node = find(req.params.name);
        if (!node) throw ApiError.notFound(`no node '${req.params.name}'; register it first`);
        const receivedAt = ctx.now().toISOString();
        ctx.reports.set(req.params.name, { receivedAt, report: req.body });
        reconcileReport(ctx, req.params.name, req.body, receivedAt);
        ctx.events.emit({
          type: "node.report",
          node: node.name,
          cpuUsage: measuredCpu(req.body),
          usedCpus: node.usedCpus,
          cpus: node.cpus,
          placements: node.placements,
          workloads: Array.isArray(req.body.workloads) ? req.body.workloads.length : 0,
          receivedAt,
        });
        return { node: req.params.name, receivedAt };
      },
    );
  };
}

/** The machine's CPU use the agent measured (0..1), when its report says one. */
function measuredCpu(report: Record<string, unknown>): number | null {
  const usage = (report.cpu as { usage?: unknown } | undefined)?.usage;
  return typeof usage === "number" && Number.isFinite(usage) ? usage : null;
}

/** Just the spec of a node (its usage figures left out). */
export function specOf(n: NodeSpec): NodeSpec {
  return {
    name: n.name,
    tier: n.tier,
    cpus: n.cpus,
    netDelayMs: n.netDelayMs,
    ...(n.endpoint ? { endpoint: n.endpoint } : {}),
    ...(n.attributeCert ? { attributeCert: n.attributeCert } : {}),
  };
}

function sameCert(a: NodeSpec, b: NodeSpec): boolean {
  return JSON.stringify(a.attributeCert ?? null) === JSON.stringify(b.attributeCert ?? null);
}

function sameSpec(a: NodeSpec, b: NodeSpec): boolean {
  return a.tier === b.tier && a.cpus === b.cpus && a.netDelayMs === b.netDelayMs && (a.endpoint ?? "") === (b.endpoint ?? "");
}
