// Dispatch over a registry of commands (fleximigrate's, or the benchmarks'
// under `fleximigrate bench`): finds the subcommand, prints help, and turns
// every failure into a one-line message with an exit code.
import { CliError, type CommandEntry } from "./command.js";

export async function dispatch(entries: CommandEntry[], argv: string[], program = "fleximigrate"): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(overview(entries, program));
    return name ? 0 : 2;
  }
  if (name === "--version") {
    process.stdout.write("fleximigrate 0.1.0\n");
    return 0;
  }
  const entry = entries.find((e) => e.name === name);
  if (!entry) {
    process.stderr.write(`${program}: unknown command '${name}'\n\n${overview(entries, program)}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`${program} ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`${program} ${name}: ${e?.message ?? String(err)}\n`);
    if (process.env.FLEXIMIGRATE_DEBUG) process.stderr.write(`${e?.stack}\n`);
    return 1;
  }
}

/** The registry's summaries: the only place a command's one-line summary is written. */
export function overview(entries: CommandEntry[], program: string): string {
  const width = Math.max(...entries.map((e) => e.name.length));
  const lines = entries.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`);
  return `Usage: ${program} COMMAND [options]\n\nCommands:\n${lines.join("\n")}\n\nRun '${program} COMMAND --help' for a command's options.\n`;
}
