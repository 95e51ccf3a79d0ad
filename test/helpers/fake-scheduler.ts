// An in-process stand-in for the scheduler's task API (fastify on 127.0.0.1:0),
// for clients that place tasks and then talk to their workload: it places
// every task at a service IP and port the test chooses, refuses it, or places
// it without a service IP (no agents), and records registrations and releases.
import Fastify, { type FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";

export type FakePlacement = { kind: "placed"; serviceIp: string | null; port: number | null } | { kind: "refused"; reason: string };

export interface FakeScheduler {
  url: string;
  /** What the next POST /v1/tasks answers. */
  placement: FakePlacement;
  registered: Array<{ id: string; site?: string }>;
  submitted: Array<Record<string, unknown>>;
  released: string[];
  /** Samples posted per task (POST /v1/tasks/:id/samples), in order. */
  samples: Map<string, Array<{ at: number; e2eMs: number; processingMs?: number }>>;
  /** What POST /v1/tasks/:id/samples answers: 202 with a receipt, or this error status. */
  samplesStatus: number;
  close(): Promise<void>;
}

export const FAKE_MODELS = { "detect/small": { kind: "exponential", a: 100, b: -1 }, "detect/large": { kind: "power", a: 300, b: -1 } };

export async function startFakeScheduler(placement: FakePlacement): Promise<FakeScheduler> {
  const app: FastifyInstance = Fastify();
  let n = 0;
  const fake: FakeScheduler = { url: "", placement, registered: [], submitted: [], released: [], samples: new Map(), samplesStatus: 202, close: () => app.close() };
  app.get("/v1/models", async () => FAKE_MODELS);
  app.post<{ Body: { id: string; site?: string } }>("/v1/devices", async (req, reply) => {
    fake.registered.push(req.body);
    return reply.code(201).send({ ...req.body, registeredAt: new Date().toISOString(), auto: false, tasks: 0 });
  });
  app.post<{ Body: Record<string, unknown> }>("/v1/tasks", async (req, reply) => {
    fake.submitted.push(req.body);
    const task = { ...req.body, id: (req.body.id as string | undefined) ?? `t${++n}` };
    const p = fake.placement;
    if (p.kind === "refused")
      return reply.code(409).send({ statusCode: 409, error: "Conflict", code: "TASK_REFUSED", message: `task '${task.id}' refused: ${p.reason}`, reason: p.reason, task });
    return reply.code(201).send({
      task,
      node: "edge1",
      endpoint: p.serviceIp ? "http://127.0.0.1:1" : null,
      serviceIp: p.serviceIp,
      dnsName: null,
      port: p.port,
      cpuShare: 0.5,
      predictedDelayMs: 50,
      case: 1,
      migrations: [],
    });
  });
  app.post<{ Params: { id: string }; Body: { samples: Array<{ at: number; e2eMs: number; processingMs?: number }> } }>("/v1/tasks/:id/samples", async (req, reply) => {
    if (fake.samplesStatus !== 202) return reply.code(fake.samplesStatus).send({ statusCode: fake.samplesStatus, error: "Error", code: "FAKE", message: "fake failure" });
    const list = fake.samples.get(req.params.id) ?? [];
    list.push(...req.body.samples);
    fake.samples.set(req.params.id, list);
    return reply.code(202).send({ task: req.params.id, accepted: req.body.samples.length, modelled: req.body.samples.length });
  });
  app.delete<{ Params: { id: string } }>("/v1/tasks/:id", async (req) => {
    fake.released.push(req.params.id);
    return { released: req.params.id, node: "edge1" };
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  fake.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return fake;
}
