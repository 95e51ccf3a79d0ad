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
    if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) return { line: head.line, col: head.col + 1 + sourceIndex(text.slice(1), inner.col - 1, node.type) };
    return { line: head.line, col: head.col + inner.col - 1 };
  }
  return head;
}

/** Where the `decoded`-th character of a quoted scalar's value starts in its source (escapes take more than one). */
function sourceIndex(body: string, decoded: number, type: Scalar["type"]): number {
  let i = 0;
  for (let n = 0; n < decoded && i < body.length; n++) {
    if (type === Scalar.QUOTE_SINGLE) i += body.startsWith("''", i) ? 2 : 1;
    else if (body[i] !== "\\") i += 1;
    else i += ({ x: 4, u: 6, U: 10 } as Record<string, number>)[body[i + 1] ?? ""] ?? 2;
  }
  return i;
}
