// The condition language's tokens (pure): numbers, double- or single-quoted
// strings with escapes, names, keywords, operators and brackets, each with
// its position. A character that starts no token is a syntax error there.
import type { Pos } from "./ast.js";
import { PolicySyntaxError } from "./errors.js";

export type TokenKind = "number" | "string" | "name" | "keyword" | "op" | "punct" | "eof";

export interface Token {
  kind: TokenKind;
  /** The token's text; for a string, its decoded value. */
  text: string;
  value?: string | number;
  pos: Pos;
  end: number;
}

export const KEYWORDS = new Set(["and", "or", "not", "in", "true", "false"]);

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0" };
const OPS = ["==", "!=", "<=", ">=", "<", ">"];

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const posAt = (offset: number): Pos => ({ line, col: offset - lineStart + 1, offset });
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    const pos = posAt(i);
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))!;
      const after = src[i + m[0].length] ?? "";
      if (/[A-Za-z_]/.test(after)) throw new PolicySyntaxError(`malformed number '${m[0]}${after}'`, pos);
      tokens.push({ kind: "number", text: m[0], value: Number(m[0]), pos, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        const d = src[j];
        if (d === undefined || d === "\n") throw new PolicySyntaxError("unterminated string", pos);
        if (d === c) break;
        if (d === "\\") {
          const e = src[j + 1];
          if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) {
            value += String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          const decoded = e === undefined ? undefined : ESCAPES[e];
          if (decoded === undefined) throw new PolicySyntaxError(`unknown escape '\\${e ?? ""}' in string`, { line, col: j - lineStart + 1, offset: j });
          value += decoded;
          j += 2;
          continue;
        }
        value += d;
        j++;
      }
      tokens.push({ kind: "string", text: src.slice(i, j + 1), value, pos, end: j + 1 });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ kind: KEYWORDS.has(m[0]) ? "keyword" : "name", text: m[0], pos, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ kind: "op", text: op, pos, end: i + op.length });
      i += op.length;
      continue;
    }
    if ("()[],".includes(c)) {
      tokens.push({ kind: "punct", text: c, pos, end: i + 1 });
      i++;
      continue;
    }
    const hint = c === "=" ? " (use '==' to compare)" : c === "&" || c === "|" || c === "!" ? " (use 'and', 'or', 'not')" : "";
    throw new PolicySyntaxError(`unexpected character '${c}'${hint}`, pos);
  }
  // The end is reported just after the last token, not on a trailing blank line.
  const last = tokens.at(-1);
  const endPos = last ? { line: last.pos.line, col: last.pos.col + (last.end - last.pos.offset), offset: last.end } : posAt(i);
  tokens.push({ kind: "eof", text: "end of condition", pos: endPos, end: i });
  return tokens;
}
