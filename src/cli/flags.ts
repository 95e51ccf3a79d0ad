// The kinds of flag a command can declare. Each kind knows its placeholder and
// help line, and turns the raw text (undefined when the flag is absent) into a
// typed value or an error naming the flag; defineCommand does the rest.
import { numberFlag, urlFlag } from "./args.js";
import { CliError } from "./command.js";

export interface Flag<T> {
  /** Takes no value (`--json`) rather than one (`--port N`). */
  readonly boolean: boolean;
  /** The value's name in the help text (`N`, `URL`); "" for a boolean flag. */
  readonly placeholder: string;
  readonly description: string;
  /** Shown as "(default …)" in the help text. */
  readonly shownDefault?: string;
  /** Absent means a usage error. */
  readonly required: boolean;
  /** May be given more than once: `read` gets the values joined by commas. */
  readonly multiple?: boolean;
  /** Raw text to value; `name` is the flag's name for messages. */
  read(raw: string | undefined, name: string): T;
}

/** The typed value a declared flag yields. */
export type FlagValue<F> = F extends Flag<infer T> ? T : never;

interface Common {
  /** Overrides the placeholder of the help text. */
  placeholder?: string;
}
type Given<T> = { default: T } | { required: true };

function declare<T>(spec: Omit<Flag<T>, "required" | "boolean"> & { required?: boolean; boolean?: boolean }): Flag<T> {
  return { boolean: false, required: false, ...spec };
}

const defaultOf = (opts: object): unknown => ("default" in opts ? opts.default : undefined);
const isRequired = (opts: object): boolean => "required" in opts && opts.required === true;

/** `--json`: true when given, else false. */
export function boolean(description: string): Flag<boolean> {
  return declare({ boolean: true, placeholder: "", description, read: (raw) => raw !== undefined });
}

/** Free text. */
export function string(placeholder: string, description: string, opts: Given<string>): Flag<string>;
export function string(placeholder: string, description: string): Flag<string | undefined>;
export function string(placeholder: string, description: string, opts: Partial<Given<string>> = {}): Flag<string | undefined> {
  const fallback = defaultOf(opts) as string | undefined;
  return declare({ placeholder, description, shownDefault: fallback, required: isRequired(opts), read: (raw) => raw ?? fallback });
}

interface NumberOpts extends Common {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Greater than 0. */
  positive?: boolean;
}

/** A finite number, optionally an integer, positive, within [min, max]. */
export function number(placeholder: string, description: string, opts: NumberOpts & Given<number>): Flag<number>;
export function number(placeholder: string, description: string, opts?: NumberOpts): Flag<number | undefined>;
export function number(placeholder: string, description: string, opts: NumberOpts & Partial<Given<number>> = {}): Flag<number | undefined> {
  const fallback = defaultOf(opts) as number | undefined;
  return declare({
    placeholder,
    description,
    shownDefault: fallback === undefined ? undefined : String(fallback),
    required: isRequired(opts),
    read: (raw, name) => (raw === undefined ? fallback : numberFlag(name, raw, 0, opts)),
  });
}

/** An http:// or https:// base URL, returned without a trailing slash. */
export function url(description: string, opts: Common & Given<string>): Flag<string>;
export function url(description: string, opts?: Common): Flag<string | undefined>;
export function url(description: string, opts: Common & Partial<Given<string>> = {}): Flag<string | undefined> {
  const fallback = defaultOf(opts) as string | undefined;
  return declare({
    placeholder: opts.placeholder ?? "URL",
    description,
    shownDefault: fallback,
    required: isRequired(opts),
    read: (raw, name) => (fallback === undefined ? urlFlag(name, raw) : urlFlag(name, raw, fallback)),
  });
}

/**
 * One base URL or several, comma-separated (the replicas of a scheduler or a
 * controller: the client follows their leader), each checked like `url`;
 * returned as one string "URL1,URL2" without trailing slashes.
 */
export function urls(description: string, opts: Common & Given<string>): Flag<string>;
export function urls(description: string, opts?: Common): Flag<string | undefined>;
export function urls(description: string, opts: Common & Partial<Given<string>> = {}): Flag<string | undefined> {
  const fallback = defaultOf(opts) as string | undefined;
  return declare({
    placeholder: opts.placeholder ?? "URL[,URL...]",
    description,
    shownDefault: fallback,
    required: isRequired(opts),
    read: (raw, name) => {
      const text = raw ?? fallback;
      if (text === undefined) return undefined;
      const parts = text.split(",").map((u) => u.trim());
      if (parts.some((u) => u === "")) throw new CliError(`--${name}: '${text}' has an empty URL in its comma list`);
      return [...new Set(parts.map((u) => urlFlag(name, u) as string))].join(",");
    },
  });
}

/** One word out of `choices`. */
export function choice<const C extends string>(choices: readonly C[], description: string, opts: Common & Given<C>): Flag<C>;
export function choice<const C extends string>(choices: readonly C[], description: string, opts?: Common): Flag<C | undefined>;
export function choice<const C extends string>(choices: readonly C[], description: string, opts: Common & Partial<Given<C>> = {}): Flag<C | undefined> {
  const fallback = defaultOf(opts) as C | undefined;
  const listed = `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`;
  return declare({
    placeholder: opts.placeholder ?? choices.join("|"),
    description,
    shownDefault: fallback,
    required: isRequired(opts),
    read: (raw, name) => {
      if (raw === undefined) return fallback;
      if (!(choices as readonly string[]).includes(raw)) throw new CliError(`--${name}: expected ${listed}, got '${raw}'`);
      return raw as C;
    },
  });
}

/**
 * Text turned into a value by `parse`, which throws an Error whose message
 * says what is wrong; the message gets the flag's name in front (a CliError
 * passes as it is). A default is raw text and goes through `parse` too.
 */
export function parsed<T>(placeholder: string, description: string, parse: (raw: string) => T, opts: Given<string>): Flag<T>;
export function parsed<T>(placeholder: string, description: string, parse: (raw: string) => T): Flag<T | undefined>;
export function parsed<T>(placeholder: string, description: string, parse: (raw: string) => T, opts: Partial<Given<string>> = {}): Flag<T | undefined> {
  const fallback = defaultOf(opts) as string | undefined;
  return declare({
    placeholder,
    description,
    shownDefault: fallback,
    required: isRequired(opts),
    read: (raw, name) => {
      const text = raw ?? fallback;
      if (text === undefined) return undefined;
      try {
        return parse(text);
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`--${name}: ${(err as Error).message}`);
      }
    },
  });
}

/**
 * A list: the flag given several times (`--org A --org B`), or once with
 * commas (`--org A,B`), or both; each item checked by `item` (which throws an
 * Error saying what is wrong). Absent: an empty list.
 */
export function list(placeholder: string, description: string, item: (raw: string) => string = (raw) => raw): Flag<string[]> {
  return {
    ...declare({
      placeholder,
      description,
      read: (raw, name) => {
        if (raw === undefined) return [];
        return raw.split(",").map((part) => {
          if (part === "") throw new CliError(`--${name}: empty item in '${raw}'`);
          try {
            return item(part);
          } catch (err) {
            if (err instanceof CliError) throw err;
            throw new CliError(`--${name}: ${(err as Error).message}`);
          }
        });
      },
    }),
    multiple: true,
  };
}
