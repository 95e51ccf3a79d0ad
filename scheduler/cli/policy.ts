// `fleximigrate policy check FILE` validates a migration policies file;
// `fleximigrate policy explain FILE --context JSON` shows which policy would
// decide a move with that context and the value of each sub-condition.
// Offline: neither asks a scheduler.
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { printJson } from "../../src/cli/output.js";
import { decide, type Decision, type PolicySet } from "../policy/engine.js";
import { PolicyFileError } from "../policy/errors.js";
import type { Explained } from "../policy/evaluate.js";
import { loadPolicies } from "../policy/loader.js";
import { CONTEXT_VARIABLES, type ContextValue } from "../policy/vocabulary.js";
import { readPolicyFile, readPolicyText } from "./policies-file.js";

export const command = defineCommand({
  name: "policy",
  synopsis: ["check FILE", "explain FILE --context JSON"],
  positionals: { min: 2, max: 2 },
  description: `Migration policies (the scheduler's --policies FILE; docs/policies.md).
check: validates FILE (YAML or JSON); each problem is printed as
FILE:LINE:COL: policy NAME: message, and the exit status is 1.
explain: evaluates the policies against the context given as a JSON object
({"source_cpu_utilization": 85, "service_type": "critical", ...}; a name not
given is unknown) and shows which policy decides and each sub-condition.
Context variables: ${[...CONTEXT_VARIABLES.keys()].join(", ")}.`,
  flags: {
    context: flag.string("JSON", "explain: the context values, a JSON object"),
    json: flag.boolean("print JSON instead of text"),
  },
  epilog: "Exit status: 0 valid (check) or explained; 1 an invalid file; 2 bad usage or an unreadable file.",
  async run(parsed) {
    const [action, file] = parsed.positionals as [string, string];
    const json = parsed.values.json ?? false;
    if (action === "check") {
      if (parsed.values.context !== undefined) throw new CliError(`--context only applies to 'policy explain'\n\n${command.usage}`);
      return check(file, json);
    }
    if (action === "explain") {
      if (parsed.values.context === undefined) throw new CliError(`policy explain needs --context JSON\n\n${command.usage}`);
      const context = parseContext(parsed.values.context);
      const set = readPolicyFile(file, 1);
      const d = decide(set, context);
      if (json) printJson({ decidedBy: d.policy, allow: d.effects.allow, reason: d.reason, effects: d.effects, trace: d.trace });
      else process.stdout.write(renderExplain(set, d));
      return 0;
    }
    throw new CliError(`unknown action '${action}': expected 'check' or 'explain'\n\n${command.usage}`);
  },
});

function check(file: string, json: boolean): number {
  if (!json) {
    const set = readPolicyFile(file, 1);
    process.stdout.write(renderCheck(file, set));
    return 0;
  }
  const text = readPolicyText(file);
  try {
    const set = loadPolicies(text, file);
    printJson({ ok: true, file, default: set.defaultAction, policies: set.policies.map((p) => ({ name: p.name, priority: p.priority, context: p.context, effects: p.effects })) });
    return 0;
  } catch (err) {
    if (!(err instanceof PolicyFileError)) throw err;
    printJson({ ok: false, file, problems: err.problems });
    return 1;
  }
}

export function renderCheck(file: string, set: PolicySet): string {
  const n = set.policies.length;
  const lines = [`${file}: valid, ${n} polic${n === 1 ? "y" : "ies"} (tried highest PRIORITY first), default ${set.defaultAction}`];
  for (const p of set.policies) lines.push(`  ${p.priority}  ${p.name}: ${p.effects.allow ? "allow" : "deny"}${p.actions.length ? ` [${p.actions.map((a) => a.kind).join(", ")}]` : ""}`);
  return `${lines.join("\n")}\n`;
}

/** The --context object: known names with values of their type. */
export function parseContext(raw: string): Map<string, ContextValue> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new CliError(`--context is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new CliError("--context must be a JSON object of context values");
  const ctx = new Map<string, ContextValue>();
  for (const [name, v] of Object.entries(value)) {
    const info = CONTEXT_VARIABLES.get(name);
    if (!info) throw new CliError(`--context: unknown context variable '${name}' (known: ${[...CONTEXT_VARIABLES.keys()].join(", ")})`);
    const ok =
      info.type === "list" ? Array.isArray(v) && v.every((x) => typeof x === "string") : info.type === "number" ? typeof v === "number" && Number.isFinite(v) : typeof v === "string";
    if (!ok) throw new CliError(`--context: ${name} must be ${info.type === "list" ? "a list of strings" : `a ${info.type}`}`);
    ctx.set(name, v as ContextValue);
  }
  return ctx;
}

export function renderExplain(set: PolicySet, d: Decision): string {
  const out = [d.policy ? `decided by policy ${d.policy}: ${d.effects.allow ? "allow" : "deny"}` : `no policy matched: default ${set.defaultAction}`, d.reason];
  const e = d.effects;
  const extras = [
    `priority ${e.priority}`,
    e.requireStrategy ? `require_strategy ${e.requireStrategy}` : "",
    e.gradualRedirect ? "gradual redirect" : "",
    ...e.notify.map((n) => `notify ${JSON.stringify(n)}`),
    ...Object.entries(e.constraints).map(([k, v]) => `${k} ${v}`),
  ].filter(Boolean);
  out.push(`effects: ${extras.join(", ")}`, "");
  for (const t of d.trace) {
    out.push(`policy ${t.policy} (priority ${t.priority}): ${t.result.value}`);
    tree(t.result, 1, out);
  }
  const untried = set.policies.slice(d.trace.length).map((p) => p.name);
  if (untried.length) out.push(`not tried (a policy before decided): ${untried.join(", ")}`);
  return `${out.join("\n")}\n`;
}

function tree(e: Explained, depth: number, out: string[]): void {
  const unknown = e.unknown?.length ? `   (unknown: ${e.unknown.join(", ")})` : "";
  out.push(`${"  ".repeat(depth)}${e.value ? "true " : "false"}  ${e.text.replace(/\s*\n\s*/g, " ")}${unknown}`);
  for (const c of e.children ?? []) tree(c, depth + 1, out);
}
