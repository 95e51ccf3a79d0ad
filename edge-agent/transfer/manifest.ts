// sha256 of each image file, computed before sending and checked on arrival.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export interface FileEntry {
  name: string;
  size: number;
  sha256: string;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (d) => h.update(d))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

export async function describeFiles(dir: string, names: string[]): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    out.push({ name, size: (await stat(file)).size, sha256: await sha256File(file) });
  }
  return out;
}

/** Image files of a dump directory (CRIU's *.img), without logs. */
export async function imageFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(".img")).sort();
}

/** A file name the receiver accepts: one path segment, no tricks. */
export function isSafeName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,200}$/.test(name) && name !== "." && name !== "..";
}
