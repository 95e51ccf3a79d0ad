// Where a character of a YAML scalar's value sits in the file (pure): exact
// for one-line plain and quoted scalars and for literal blocks (`|`), the
// scalar's start otherwise (folded text moves characters around).
import { type LineCounter, Scalar } from "yaml";

export interface FilePos {
  line: number;
  col: number;
}

export function scalarStart(lc: LineCounter, node: { range?: [number, number, number] | null } | null | undefined): FilePos {
  const at = node?.range?.[0];
  return at === undefined ? { line: 1, col: 1 } : lc.linePos(at);
}

/** File position of the value's (line, col), both 1-based inside the value. */
export function posInScalar(src: string, lc: LineCounter, node: Scalar, inner: { line: number; col: number }): FilePos {
  const start = node.range?.[0];
  if (start === undefined) return { line: 1, col: 1 };
  const text = src.slice(start, node.range![1]);
  const head = lc.linePos(start);
  if (node.type === Scalar.BLOCK_LITERAL) {
    const lines = text.split("\n");
    const content = lines.slice(1);
    const indent = Math.min(...content.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
    return { line: head.line + inner.line, col: (Number.isFinite(indent) ? indent : 0) + inner.col };
  }
  if (!text.includes("\n") && inner.line === 1) {
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
    return { line: head.line, col: head.col + quoted + inner.col - 1 };
  }
  return head;
}
