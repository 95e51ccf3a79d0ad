// Checks one recorded HTTP call against a service's served OpenAPI document:
// the path matches one of its templated paths, the method exists there, each
// query parameter is declared, and every body field, at any depth, is a
// property the request body schema names. Answers what does not conform.
//
// Stricter than JSON Schema on purpose: a field the schema names nowhere
// counts as unknown even where additionalProperties is left unset, so that a
// client's typo cannot pass. A schema opts out where fields are open by
// design with additionalProperties: true (or a schema), or by naming no
// properties at all (a free-form object).
import type { Fetch } from "../../src/http/json-client.js";

export interface RecordedCall {
  method: string;
  /** As sent: percent-encoded segments, no query. */
  path: string;
  query: Record<string, string>;
  /** The JSON body, parsed; undefined when none was sent. */
  body: unknown;
}

type Schema = Record<string, unknown>;

interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** A fetch that records every call into `calls` and answers a canned 200 with `{}`. */
export function recordingFetch(calls: RecordedCall[]): Fetch {
  return async (url, init) => {
    const u = new URL(url);
    const text = typeof init.body === "string" ? init.body : undefined;
    calls.push({
      method: init.method ?? "GET",
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body: text === undefined ? undefined : JSON.parse(text),
    });
    return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
  };
}

/** What in `call` the document does not have; [] when it conforms. */
export function violations(doc: OpenApiDocument, call: RecordedCall): string[] {
  const where = `${call.method} ${call.path}`;
  const template = templateOf(doc, call.path);
  if (!template) return [`${where}: no path of the document matches ${call.path}`];
  const op = doc.paths[template]?.[call.method.toLowerCase()];
  if (!op) return [`${where}: ${template} has no ${call.method} (it has ${Object.keys(doc.paths[template] ?? {}).join(", ").toUpperCase()})`];
  const out: string[] = [];
  const declared = new Set((op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name));
  for (const name of Object.keys(call.query)) if (!declared.has(name)) out.push(`${where}: query parameter ${name} is not declared`);
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  if (call.body === undefined) {
    if (op.requestBody?.required) out.push(`${where}: the document requires a body`);
    return out;
  }
  if (!schema) {
    const fields = isObject(call.body) ? Object.keys(call.body) : [];
    for (const f of fields) out.push(`${where}: body.${f} sent, but ${template} takes no body`);
    return out;
  }
  return out.concat(unknownFields(doc, schema, call.body, "body").map((f) => `${where}: ${f} is not in the request body schema`));
}

/** The document's path that `path` instantiates; a literal path wins over a templated one. */
function templateOf(doc: OpenApiDocument, path: string): string | undefined {
  const segments = path.split("/");
  const matches = Object.keys(doc.paths).filter((t) => {
    const ts = t.split("/");
    return ts.length === segments.length && ts.every((s, i) => /^\{[^}]+\}$/.test(s) || s === segments[i]);
  });
  const params = (t: string) => (t.match(/\{/g) ?? []).length;
  return matches.sort((a, b) => params(a) - params(b))[0];
}

function unknownFields(doc: OpenApiDocument, raw: Schema, value: unknown, at: string): string[] {
  const schema = resolve(doc, raw);
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches) {
    // The value fits the branch that leaves the fewest fields unknown.
    const each = branches.map((b) => unknownFields(doc, b, value, at));
    return each.sort((a, b) => a.length - b.length)[0] ?? [];
  }
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    return items ? value.flatMap((v, i) => unknownFields(doc, items, v, `${at}[${i}]`)) : [];
  }
  if (!isObject(value)) return [];
  const props = schema.properties as Record<string, Schema> | undefined;
  const extra = schema.additionalProperties as boolean | Schema | undefined;
  return Object.entries(value).flatMap(([key, v]) => {
    const field = `${at}.${key}`;
    const own = props?.[key];
    if (own) return unknownFields(doc, own, v, field);
    if (isObject(extra)) return unknownFields(doc, extra, v, field);
    if (extra === true || (props === undefined && extra === undefined)) return [];
    return [field];
  });
}

function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.replace(/^#\/components\/schemas\//, "");
  const target = doc.components?.schemas?.[name];
  if (!target) throw new Error(`the document has no schema ${ref}`);
  return resolve(doc, target);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
