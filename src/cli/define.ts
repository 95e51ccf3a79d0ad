// A command declared once: its name, arguments and flags give the `--help`
// text, the parsing (node:util parseArgs), the typed values and the errors.
import { parseArgs } from "node:util";
import { type Command, CliError } from "./command.js";
import type { Flag, FlagValue } from "./flags.js";

type Flags = Record<string, Flag<unknown>>;

export interface Parsed<F extends Flags> {
  values: { [K in keyof F]: FlagValue<F[K]> };
  positionals: string[];
}

export interface CommandDefinition<F extends Flags> {
  /** Word typed after `fleximigrate`. */
  name: string;
  /** What follows the name in the usage line, flags aside (`SAMPLES.csv`); one entry per form. */
  synopsis?: string | string[];
  /** Bounds on the positional arguments (default none allowed). */
  positionals?: { min?: number; max?: number };
  /** Paragraphs printed between the usage line and the options. */
  description: string;
  flags: F;
  /** Closing paragraph (exit status, file formats…). */
  epilog?: string;
  run(parsed: Parsed<F>): Promise<number>;
}

export function defineCommand<F extends Flags>(def: CommandDefinition<F>): Command {
  const usage = helpText(def);
  return {
    name: def.name,
    usage,
    async run(args) {
      if (args.includes("--help") || args.includes("-h")) {
        process.stdout.write(usage);
        return 0;
      }
      return def.run(parse(def, args, usage));
    },
  };
}

function parse<F extends Flags>(def: CommandDefinition<F>, args: string[], usage: string): Parsed<F> {
  const options = Object.fromEntries(Object.entries(def.flags).map(([name, f]) => [name, { type: f.boolean ? ("boolean" as const) : ("string" as const), multiple: f.multiple ?? false }]));
  let raw: ReturnType<typeof parseArgs>;
  try {
    raw = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message.replace(/\. To specify.*$/s, "")}\n\n${usage}`);
  }
  const { min = 0, max = 0 } = def.positionals ?? {};
  if (raw.positionals.length < min) throw new CliError(`missing argument\n\n${usage}`);
  if (raw.positionals.length > max) throw new CliError(`unexpected argument '${raw.positionals[max]}'\n\n${usage}`);
  const given = raw.values as Record<string, string | string[] | boolean | undefined>;
  for (const [name, f] of Object.entries(def.flags)) {
    if (f.required && given[name] === undefined) throw new CliError(`--${name} is required\n\n${usage}`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(def.flags)) {
    const text = given[name];
    values[name] = f.read(text === undefined ? undefined : Array.isArray(text) ? text.join(",") : String(text), name);
  }
  return { values: values as Parsed<F>["values"], positionals: raw.positionals };
}

/** `Usage:` lines, description, one line per flag (continuations indented), epilog. */
export function helpText<F extends Flags>(def: Pick<CommandDefinition<F>, "name" | "synopsis" | "description" | "flags" | "epilog">): string {
  const entries = Object.entries(def.flags);
  const required = entries.filter(([, f]) => f.required).map(([name, f]) => `--${name} ${f.placeholder}`);
  const forms = typeof def.synopsis === "string" ? [def.synopsis] : (def.synopsis ?? [""]);
  const lines = forms.map((form, i) => {
    const words = [`fleximigrate ${def.name}`, form, ...required, entries.length > required.length ? "[options]" : ""].filter(Boolean).join(" ");
    return `${i === 0 ? "Usage: " : "       "}${words}`;
  });
  const heads = entries.map(([name, f]) => `--${name}${f.placeholder ? ` ${f.placeholder}` : ""}`);
  heads.push("-h, --help");
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  const pad = " ".repeat(2 + width);
  const options = entries.map(([, f], i) => {
    const notes = [f.required ? "required" : undefined, f.shownDefault ? `default ${f.shownDefault}` : undefined].filter(Boolean);
    const text = notes.length ? `${f.description} (${notes.join("; ")})` : f.description;
    return `  ${heads[i]!.padEnd(width)}${text.split("\n").join(`\n${pad}`)}`;
  });
  options.push(`  ${"-h, --help".padEnd(width)}show this help`);
  const parts = [lines.join("\n"), def.description.trim(), `Options:\n${options.join("\n")}`];
  if (def.epilog) parts.push(def.epilog.trim());
  return `${parts.join("\n\n")}\n`;
}
