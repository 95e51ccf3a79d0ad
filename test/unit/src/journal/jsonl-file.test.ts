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

  describe("compactWhenGrown", () => {
    /** The latest n per id: the records a line-per-change file stands for. */
    const latestOf = (lines: Line[]) => [...new Map(lines.map((l) => [l.id, l])).values()];

    it("rewrites a running file to its records once it grows past the factor, and keeps every later append", async () => {
      const d = dir();
      const { file } = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
      const records = new Map<string, Line>();
      file.compactWhenGrown({ current: () => [...records.values()], minBytes: 2_000, factor: 4 });
      let largest = 0;
      // 10 ids updated 2,000 times: without compaction the file would hold every one of the 2,000 lines.
      for (let n = 0; n < 2_000; n++) {
        const line = { id: `id-${n % 10}`, n };
        await file.append(line, () => records.set(line.id, line));
        largest = Math.max(largest, readFileSync(path.join(d, "j.jsonl")).length);
      }
      await file.settled();
      expect(file.compactions).toBeGreaterThan(5);
      expect(largest).toBeLessThan(8_000);
      const again = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
      expect(latestOf(again.lines)).toEqual([...records.values()].sort((a, b) => Number(a.id.slice(3)) - Number(b.id.slice(3))));
      expect(latestOf(again.lines).map((l) => l.n)).toEqual([1990, 1991, 1992, 1993, 1994, 1995, 1996, 1997, 1998, 1999]);
      await file.close();
      await again.file.close();
    });

    it("keeps appends made while it compacts, in order", async () => {
      const d = dir();
      const { file } = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
      const records = new Map<string, Line>();
      file.compactWhenGrown({ current: () => [...records.values()], minBytes: 500, factor: 2 });
      // Concurrent appends: groups are written while earlier ones compact.
      await Promise.all(
        Array.from({ length: 500 }, (_, n) => {
          const line = { id: `id-${n % 7}`, n };
          return file.append(line, () => records.set(line.id, line));
        }),
      );
      await file.settled(); // a compaction may still run after the last append resolved
      expect(file.compactions).toBeGreaterThan(0);
      const again = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
      expect(new Map(latestOf(again.lines).map((l) => [l.id, l.n]))).toEqual(new Map([...records].map(([id, l]) => [id, l.n])));
      expect(Math.max(...again.lines.map((l) => l.n))).toBe(499);
      await file.close();
      await again.file.close();
    });

    it("leaves the file whole and in use when a compaction fails", async () => {
      const d = dir();
      const { file } = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
      let fail = true;
      file.compactWhenGrown({
        current: () => {
          if (fail) throw new Error("cannot read the records");
          return [];
        },
        minBytes: 200,
        factor: 2,
      });
      for (let n = 0; n < 40; n++) await file.append({ id: "a", n });
      expect(file.compactions).toBe(0);
      fail = false;
      const again = await JsonlFile.open(d, "j.jsonl", parse, keepAll);
      expect(again.lines.map((l) => l.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
      await file.close();
      await again.file.close();
    });
  });
});
