// Terminal output: the table layout scripts split on whitespace, and the
// progress bar's plain lines when stderr is not a terminal.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { formatTable, Progress } from "../../../../src/cli/output.js";

describe("formatTable", () => {
  it("aligns columns two spaces apart, prints '-' for a missing cell, rounds numbers, trims line ends", () => {
    expect(formatTable(["NAME", "CPU", "NOTE"], [["edge1", 0.4251, "x"], ["cloud-long", 123.456, null], ["e", 7, ""]])).toBe(
      ["NAME        CPU    NOTE", "edge1       0.425  x", "cloud-long  123.5  -", "e           7"].join("\n") + "\n",
    );
  });
});

describe("Progress off a terminal", () => {
  function capture(): { stream: NodeJS.WriteStream; text: () => string } {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (d: Buffer) => (text += d.toString()));
    return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
  }

  it("prints whole lines, the last one at 100% when done reaches the total", () => {
    const out = capture();
    const bar = new Progress("profile", 4, out.stream);
    bar.update(1, "small 0.2");
    bar.update(4, "large 1");
    bar.stop();
    const lines = out.text().split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1)).toEqual(["profile [######..................] 25% small 0.2", "profile [########################] 100% large 1"]);
  });

  it("ends cleanly when stopped before the total", () => {
    const out = capture();
    const bar = new Progress("migrating w1", 100, out.stream);
    bar.update(50, "transfer");
    bar.stop();
    bar.stop();
    expect(out.text()).toBe("migrating w1 [############............] 50% transfer\nmigrating w1 [############............] 50% transfer\n");
  });
});
