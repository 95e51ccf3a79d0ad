// `fleximigrate dns`: the controller's DNS records as a table (or the API's
// JSON), and by-hand changes: `dns set NAME IP [--ttl S]`, `dns delete NAME`.
// Client of GET /v1/dns, PUT/DELETE /v1/dns/records/:name.
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { controllerAt } from "../../src/cli/service-clients.js";
import { formatTable, printJson } from "../../src/cli/output.js";
import { age, controllerFlag, listOf } from "./api-client.js";

/** GET /v1/dns as a table; `now` makes the AGE column testable. */
export function renderDns(data: unknown, now = Date.now()): string {
  const zone = (data as { zone?: string })?.zone;
  const ttl = (data as { defaultTtl?: number })?.defaultTtl;
  const records = listOf(data, "records");
  const head = zone ? `zone ${zone}${ttl !== undefined ? ` (default TTL ${ttl}s)` : ""}\n` : "";
  if (records.length === 0) return `${head}(no records)\n`;
  const rows = records.map((r) => [String(r.name), r.ip as string, r.ttl as number, age(r.updatedAt, now)]);
  return head + formatTable(["NAME", "IP", "TTL", "UPDATED"], rows);
}

export const command = defineCommand({
  name: "dns",
  synopsis: ["", "set NAME IP", "delete NAME"],
  positionals: { max: 3 },
  description: `Shows the A records the controller's DNS server answers with, or changes one.
NAME is relative to the zone ("web") or fully qualified inside it.`,
  flags: {
    controller: controllerFlag,
    ttl: flag.number("SECONDS", "TTL of the record set, for 'dns set' (default: the zone's)", { integer: true, min: 0 }),
    json: flag.boolean("print the API's JSON"),
  },
  async run(parsed) {
    const base = parsed.values.controller;
    const [action, name, ip] = parsed.positionals;
    if (action === undefined) {
      if (parsed.values.ttl !== undefined) throw new CliError(`--ttl only applies to 'dns set'\n\n${command.usage}`);
      const data = await controllerAt(base).dns();
      if (parsed.values.json) printJson(data);
      else process.stdout.write(renderDns(data));
      return 0;
    }
    if (action === "set") {
      if (!name || !ip) throw new CliError(`dns set needs NAME and IP\n\n${command.usage}`);
      const body: { ip: string; ttl?: number } = { ip };
      if (parsed.values.ttl !== undefined) body.ttl = parsed.values.ttl;
      const record = await controllerAt(base).setDnsRecord(name, body);
      if (parsed.values.json) printJson(record);
      else process.stdout.write(`${record.name} -> ${record.ip} (TTL ${record.ttl}s)\n`);
      return 0;
    }
    if (action === "delete") {
      if (parsed.values.ttl !== undefined) throw new CliError(`--ttl only applies to 'dns set'\n\n${command.usage}`);
      if (!name || ip !== undefined) throw new CliError(`dns delete needs exactly one NAME\n\n${command.usage}`);
      const record = await controllerAt(base).deleteDnsRecord(name);
      if (parsed.values.json) printJson(record);
      else process.stdout.write(`deleted ${record.name} (was ${record.ip})\n`);
      return 0;
    }
    throw new CliError(`unknown action '${action}': expected 'set' or 'delete'\n\n${command.usage}`);
  },
});
