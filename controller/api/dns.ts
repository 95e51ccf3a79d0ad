// HTTP API of the controller's DNS table (fastify plugin).
//
//   GET    /v1/dns                 -> DnsListing {zone, defaultTtl, records: DnsRecord[]}
//   PUT    /v1/dns/records/:name   {ip, ttl?} -> 200 DnsRecord (201 when new); 400 on a bad name/ip/ttl
//   DELETE /v1/dns/records/:name   -> 200 DnsRecord removed; 404 when unknown; 400 on a bad name
// `:name` is relative to the zone ("web") or fully qualified inside it ("web.svc.fleximigrate.local").
// Every change is reported through `onEvent` (the controller forwards it to /v1/events),
// once `persist` has it on disk (503, nothing changed, when the write fails).
//
// Use: app.register(dnsRoutes, { records, onEvent })
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { type DnsRecord, type DnsRecords, MAX_TTL_S, qualifyName, validateIpv4 } from "../dns/records.js";
import { NOT_DURABLE, type Persist, persistOrUndo } from "./persist.js";

export interface DnsListing {
  zone: string;
  defaultTtl: number;
  records: DnsRecord[];
}

export type DnsEvent =
  | { type: "dns.record.set"; record: DnsRecord; previousIp: string | null }
  | { type: "dns.record.deleted"; record: DnsRecord };

export interface DnsRoutesOptions {
  records: DnsRecords;
  onEvent?: (event: DnsEvent) => void;
  /** Resolves once the DNS server answers from the table as it is now (it may run in a worker with a copy). */
  synced?: () => Promise<void>;
  /** Makes a change durable before it is answered (the state store); none: memory only. */
  persist?: Persist;
}

const recordSchema = {
  type: "object",
  required: ["name", "ip", "ttl", "updatedAt"],
  properties: {
    name: { type: "string", description: "fully qualified name, lower case, no trailing dot" },
    ip: { type: "string", description: "IPv4 address" },
    ttl: { type: "integer" },
    updatedAt: { type: "string", format: "date-time" },
  },
} as const;

// Checked by qualifyName, which never trims: " web" is a bad name, not "web".
const nameParams = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", minLength: 1, maxLength: 254 } },
} as const;

export const dnsRoutes: FastifyPluginAsync<DnsRoutesOptions> = async (app, opts) => {
  const { records } = opts;
  const emit = (event: DnsEvent) => opts.onEvent?.(event);
  const persist = opts.persist ?? NOT_DURABLE;
  const putBack = (name: string, previous: DnsRecord | undefined) => () => {
    if (previous) records.restore(previous);
    else records.delete(name);
  };

  app.get(
    "/v1/dns",
    {
      schema: {
        summary: "List the DNS zone's A records",
        tags: ["dns"],
        response: {
          200: {
            type: "object",
            required: ["zone", "defaultTtl", "records"],
            properties: { zone: { type: "string" }, defaultTtl: { type: "integer" }, records: { type: "array", items: recordSchema } },
          },
        },
      },
    },
    async (): Promise<DnsListing> => ({ zone: records.zone, defaultTtl: records.defaultTtl, records: records.list() }),
  );

  app.put<{ Params: { name: string }; Body: { ip: string; ttl?: number } }>(
    "/v1/dns/records/:name",
    {
      schema: {
        summary: "Create or change an A record",
        tags: ["dns"],
        params: nameParams,
        body: {
          type: "object",
          required: ["ip"],
          additionalProperties: false,
          properties: {
            ip: { type: "string", description: "IPv4 address, dotted quad" },
            ttl: { type: "integer", minimum: 0, maximum: MAX_TTL_S, description: "seconds; default the zone's TTL" },
          },
        },
        response: { 200: recordSchema, 201: recordSchema, 400: errorSchema, 503: errorSchema },
      },
    },
    async (req, reply) => {
      const q = qualifyName(req.params.name, records.zone);
      if (!q.ok) throw ApiError.badRequest(q.error);
      const ipError = validateIpv4(req.body.ip);
      if (ipError) throw ApiError.badRequest(ipError);
      const previous = records.get(q.fqdn);
      const record = records.set(q.fqdn, req.body.ip, req.body.ttl);
      await persistOrUndo(persist, putBack(q.fqdn, previous));
      await opts.synced?.();
      emit({ type: "dns.record.set", record, previousIp: previous?.ip ?? null });
      return reply.code(previous ? 200 : 201).send(record);
    },
  );

  app.delete<{ Params: { name: string } }>(
    "/v1/dns/records/:name",
    {
      schema: {
        summary: "Remove an A record",
        tags: ["dns"],
        params: nameParams,
        response: { 200: recordSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const q = qualifyName(req.params.name, records.zone);
      if (!q.ok) throw ApiError.badRequest(q.error);
      const removed = records.delete(q.fqdn);
      if (!removed) throw ApiError.notFound(`no record named ${q.fqdn}`);
      await persistOrUndo(persist, putBack(q.fqdn, removed));
      await opts.synced?.();
      emit({ type: "dns.record.deleted", record: removed });
      return removed;
    },
  );
};
