// Terminal output helpers shared by every command: JSON for scripts,
// aligned tables for people, a progress bar on stderr.
import { SingleBar } from "cli-progress";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export type Cell = string | number | boolean | null | undefined;

/**
 * Renders rows as a left-aligned table with a header line, two spaces between
 * columns and no trailing blanks (tests and scripts split it on whitespace).
 * Hand-written on purpose: for `flows` on a switch with 10,000 flows it takes
 * ~50 ms, where cli-table3 (borderless) takes ~55 s and columnify ~3.7 s for
 * the same text; text-table, ~170 ms, has not been maintained since 2014.
 */
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

/**
 * Progress on stderr (cli-progress): one redrawn line on a terminal; otherwise a
 * plain line every 2 s and one at the end, for logs and tests to read. The bar
 * keeps a timer: the owner stops it (done >= total stops it too).
 */
export class Progress {
  private bar: SingleBar | undefined;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, detail = ""): void {
    if (!this.bar) {
      const tty = this.stream.isTTY === true;
      this.bar = new SingleBar({
        stream: this.stream,
        format: "{label} [{bar}] {percentage}% {detail}",
        barsize: 24,
        barCompleteChar: "#",
        barIncompleteChar: ".",
        noTTYOutput: true,
        // Off a terminal "clearing" is a no-op, which spares an empty last line.
        clearOnComplete: !tty,
        // Leave the terminal's line wrapping and signals alone: Ctrl-C must still stop the command.
        linewrap: true,
        gracefulExit: false,
      });
      this.bar.start(this.total, Math.min(done, this.total), { label: this.label, detail });
    }
    this.bar.update(Math.min(done, this.total), { detail });
    if (done >= this.total) this.stop();
  }

  /** Draws the last state and ends the line; safe to call twice. */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
