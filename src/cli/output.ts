// Terminal output helpers shared by every command: JSON for scripts,
// aligned tables for people, a one-line progress meter on stderr.

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export type Cell = string | number | boolean | null | undefined;

/** Renders rows as a left-aligned table with a header line. */
export function formatTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map(cellText));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...text.map(line)].join("\n") + "\n";
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return "-";
  if (typeof c === "number") return Number.isInteger(c) ? String(c) : c.toFixed(Math.abs(c) >= 100 ? 1 : 3);
  return String(c);
}

/** Progress on stderr: redraws one line on a terminal, prints plain lines otherwise. */
export class Progress {
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, detail = ""): void {
    const now = Date.now();
    if (done < this.total && now - this.last < 200) return;
    this.last = now;
    const pct = this.total > 0 ? Math.min(100, Math.round((done / this.total) * 100)) : 100;
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
    const text = `${this.label} ${bar} ${pct}% ${detail}`.trimEnd();
    if (this.stream.isTTY) this.stream.write(`\r\x1b[K${text}${done >= this.total ? "\n" : ""}`);
    else this.stream.write(`${text}\n`);
  }
}
