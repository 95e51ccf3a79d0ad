// What a switch holds besides flows, read live by MULTIPART: groups (GROUP_DESC
// + GROUP stats), meters (METER_CONFIG + METER stats), tables (TABLE stats +
// TABLE_FEATURES) and queues (QUEUE stats). 404 for a switch that is not
// connected; 504 when it does not answer in time (app.ts maps the errors).
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import type { MultipartReplyBody, MultipartRequestBody } from "../../src/openflow/messages.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchSession } from "../openflow/session.js";
import { dpidParams, normalizeDpid } from "./dpid.js";
import { switchReadErrors } from "./switches.js";
import { groupViews, meterViews, queueViews, tableViews } from "./switch-views.js";

type BodyOf<K extends MultipartReplyBody["kind"]> = Extract<MultipartReplyBody, { kind: K }>;

/** Every reply body of `kind` to one MULTIPART request. */
async function read<K extends MultipartReplyBody["kind"]>(conn: SwitchSession, body: MultipartRequestBody & { kind: K }): Promise<BodyOf<K>[]> {
  const bodies = await conn.multipart(body);
  return bodies.filter((b): b is BodyOf<K> => b.kind === body.kind);
}

export const switchTableRoutes: FastifyPluginAsync<{ registry: SwitchRegistry }> = async (app, { registry }) => {
  const connOf = (raw: string): SwitchSession => {
    const conn = registry.get(normalizeDpid(raw));
    if (!conn) throw ApiError.notFound(`switch ${normalizeDpid(raw)} is not connected`);
    return conn;
  };
  const route = (path: string, summary: string, answer: (conn: SwitchSession) => Promise<Record<string, unknown>>) =>
    app.get<{ Params: { dpid: string } }>(path, { schema: { summary, tags: ["switches"], params: dpidParams, response: switchReadErrors } }, async (req) => {
      const conn = connOf(req.params.dpid);
      return { dpid: conn.dpid, ...(await answer(conn)) };
    });

  route("/v1/switches/:dpid/groups", "A switch's groups: GROUP_DESC and GROUP stats merged per group id", async (conn) => {
    const [descs, stats] = await Promise.all([read(conn, { kind: "groupDesc" }), read(conn, { kind: "group" })]);
    return { groups: groupViews(descs.flatMap((b) => b.groups), stats.flatMap((b) => b.stats)) };
  });

  route("/v1/switches/:dpid/meters", "A switch's meters: METER_CONFIG and METER stats merged per meter id", async (conn) => {
    const [configs, stats] = await Promise.all([read(conn, { kind: "meterConfig" }), read(conn, { kind: "meter" })]);
    return { meters: meterViews(configs.flatMap((b) => b.meters), stats.flatMap((b) => b.stats)) };
  });

  route("/v1/switches/:dpid/tables", "A switch's tables: TABLE stats with each table's TABLE_FEATURES", async (conn) => {
    const [stats, features] = await Promise.all([read(conn, { kind: "table" }), read(conn, { kind: "tableFeatures", tables: [] })]);
    return { tables: tableViews(stats.flatMap((b) => b.stats), features.flatMap((b) => b.tables)) };
  });

  route("/v1/switches/:dpid/queues", "A switch's queues: QUEUE stats of every port", async (conn) => {
    const stats = await read(conn, { kind: "queueStats" });
    return { queues: queueViews(stats.flatMap((b) => b.stats)) };
  });
};
