// Reading a migration policies file for `scheduler --policies` and
// `policy check|explain`: any failure becomes a CliError listing every
// problem as FILE:LINE:COL: policy NAME: message.
import { readFileSync } from "node:fs";
import { CliError } from "../../src/cli/command.js";
import type { PolicySet } from "../policy/engine.js";
import { PolicyFileError } from "../policy/errors.js";
import { loadPolicies, MAX_POLICY_FILE_BYTES } from "../policy/loader.js";

export function readPolicyText(file: string): string {
  try {
    const text = readFileSync(file, "utf8");
    if (text.length > MAX_POLICY_FILE_BYTES) throw Object.assign(new Error("file too large"), { code: "EFBIG" });
    return text;
  } catch (err) {
    throw new CliError(`cannot read policies file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The file's policies; a bad file is a CliError (exit `exitCode`) with one line per problem. */
export function readPolicyFile(file: string, exitCode = 2): PolicySet {
  const text = readPolicyText(file);
  try {
    return loadPolicies(text, file);
  } catch (err) {
    if (err instanceof PolicyFileError) {
      const n = err.problems.length;
      throw new CliError(`policies file ${file} is not valid (${n} problem${n === 1 ? "" : "s"}):\n${err.message}`, exitCode);
    }
    throw err;
  }
}
