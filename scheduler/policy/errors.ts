// Errors of the policy language, with where they are: the condition-relative
// position while parsing; the loader adds the policy name and the file's line
// and column.
import type { Pos } from "./ast.js";

export class PolicySyntaxError extends Error {
  override name = "PolicySyntaxError";
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
  }
}

/** One problem of a policies file: `FILE:LINE:COL: policy NAME: message`. */
export interface PolicyProblem {
  file: string;
  line: number;
  col: number;
  policy: string | null;
  message: string;
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.policy ? `policy ${p.policy}: ` : ""}${p.message}`;
}

/** A policies file that cannot be used; lists every problem found. */
export class PolicyFileError extends Error {
  override name = "PolicyFileError";
  constructor(readonly problems: PolicyProblem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}
