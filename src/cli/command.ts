// The contract every `fleximigrate` subcommand fulfils, and the error type
// that turns bad input into a clear message and an exit code (never a stack).

export interface Command {
  /** Word typed after `fleximigrate`. */
  name: string;
  /** Full text printed by `fleximigrate NAME --help` (see define.ts). */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** An expected failure: printed as `fleximigrate: message`, exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * Registry entry: loads the command module only when it runs, so `--help`
 * stays fast. The summary lives here and only here: it is what the overview shows.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

/** An entry whose command is the `command` export of a module loaded on first use. */
export function commandEntry(name: string, summary: string, load: () => Promise<{ command: Command }>): CommandEntry {
  return { name, summary, load: async () => (await load()).command };
}
