// Flags every testbed subcommand shares, and reading them.
import { CliError } from "../../cli/command.js";
import * as flag from "../../cli/flags.js";
import { DefinitionError, loadDefinition, type TestbedDefinition } from "../definition.js";
import { PREFIX_RE } from "../plan.js";

export const prefixFlag = flag.parsed("P", "starts every host name the testbed makes (2-4 characters)", (raw) => {
  if (!PREFIX_RE.test(raw)) throw new CliError(`--prefix: '${raw}' must be 2-4 characters: a lower-case letter, then letters or digits`);
  return raw;
}, { default: "fmt" });

export function definitionFrom(path: string | undefined): TestbedDefinition {
  try {
    return loadDefinition(path);
  } catch (err) {
    if (err instanceof DefinitionError) throw new CliError(err.message);
    throw err;
  }
}

export function needRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new CliError(`testbed ${what} needs root: it makes network namespaces and OVS bridges (try sudo)`, 2);
}
