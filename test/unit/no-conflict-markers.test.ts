// A merge's conflict markers once reached the README unnoticed (biome checks
// code, not prose): every tracked text file is checked here.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TEXT = /\.(ts|js|mjs|md|json|ya?ml|py|sh|html|css|txt)$/;

it("no file holds a merge's conflict markers", () => {
  const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((f) => TEXT.test(f));
  expect(files.length).toBeGreaterThan(100);
  const hits = files.flatMap((f) => {
    let text: string;
    try {
      text = readFileSync(path.join(ROOT, f), "utf8");
    } catch {
      return [];
    }
    return text.split("\n").flatMap((line, i) => (/^(<{7} |>{7} |={7}$)/.test(line) ? [`${f}:${i + 1}: ${line}`] : []));
  });
  expect(hits).toEqual([]);
});
