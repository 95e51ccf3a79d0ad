// The contract every `fleximigrate` subcommand fulfils, and the error type
// that turns bad input into a clear message and an exit code (never a stack).

export interface Command {
  /** Word typed after `fleximigrate`. */
  name: string;
  /** One line for `fleximigrate --help`. */
  summary: string;
  /** Full text printed by `fleximigrate NAME --help`. */
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

/** Registry entry: loads the command module only when it runs, so `--help` stays fast. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}
