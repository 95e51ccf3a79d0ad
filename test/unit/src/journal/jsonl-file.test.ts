import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JsonlFile } from "../../../../src/journal/jsonl-file.js";

type Line = { id: string; n: number };
const parse = (v: unknown): Line => {
  const l = v as Line;
  if (typeof l?.id !== "string" || typeof l.n !== "number") throw new Error("not a line");
  return l;
};
const keepAll = (lines: Line[]) => lines;

describe("JsonlFile", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(path.join(tmpdir(), "fm-jsonl-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("reads back what was appended, in order, after a reopen without close", async () => {
    const d = dir();
    const first = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
    expect(first.existed).toBe(false);
    const applied: string[] = [];
    await first.file.append({ id: "a", n: 1 }, () => applied.push("a"));
    await first.file.append({ id: "b", n: 2 }, () => applied.push("b"));
    expect(applied).toEqual(["a", "b"]);
    const again = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
    expect(again.existed).toBe(true);
    expect(again.lines).toEqual([
      { id: "a", n: 1 },
      { id: "b", n: 2 },
    ]);
    await again.file.close();
    await first.file.close();
  });

  it("drops a torn last line and a corrupt one, saying which, and compacts to what `compact` keeps", async () => {
    const d = dir();
    const f = path.join(d, "j.jsonl");
    appendFileSync(f, '{"id":"a","n":1}\n{"id":"x"}\n{"id":"a","n":2}\n{"id":"b","n":');
    const opened = await JsonlFile.open(d, "j.jsonl", parse, (lines) => lines.filter((l, i) => lines.findLastIndex((m) => m.id === l.id) === i));
    expect(opened.lines).toEqual([
      { id: "a", n: 1 },
      { id: "a", n: 2 },
    ]);
    expect(opened.dropped).toEqual([expect.stringMatching(/line 2: not a line/), expect.stringMatching(/line 4 \(torn last line\)/)]);
    await opened.file.close();
    expect(readFileSync(f, "utf8")).toBe('{"id":"a","n":2}\n');
  });

  it("a failed append rejects, changes nothing in memory, and the next line starts clean", async () => {
    const d = dir();
    const opened = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
    await opened.file.append({ id: "a", n: 1 });
    const cyclic: Record<string, unknown> = { id: "c" };
    cyclic.self = cyclic;
    let applied = false;
    expect(() => opened.file.append(cyclic as unknown as Line, () => (applied = true))).toThrow(/circular/i);
    expect(applied).toBe(false);
    await opened.file.append({ id: "b", n: 2 });
    await opened.file.close();
    expect(readFileSync(path.join(d, "j.jsonl"), "utf8")).toBe('{"id":"a","n":1}\n{"id":"b","n":2}\n');
  });

  it("writes concurrent appends together (group commit), in order, each resolved after its onDisk", async () => {
    const d = dir();
    const opened = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
    const order: string[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, i) => opened.file.append({ id: `l${i}`, n: i }, () => order.push(`l${i}`))));
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => `l${i}`));
    await opened.file.close();
    const lines = readFileSync(path.join(d, "j.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
