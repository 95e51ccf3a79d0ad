// I/O shell around the pure image codecs: finds the task pagemaps of a CRIU
// dump and writes the destination's reduced image set.
import { copyFile, mkdir, open, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CopyRange, mergeAdjacentLazy, planLazySplit } from "./lazy-split.js";
import { decodePagemap, encodePagemap, type PagemapImage } from "./pagemap-image.js";

export interface TaskPagemap {
  /** The task's PID inside its namespace: pagemap-<pid>.img, and the dst_id of page requests. */
  pid: number;
  pagemap: PagemapImage;
  pagesFile: string;
}

const TASK_PAGEMAP = /^pagemap-(\d+)\.img$/;

export async function readTaskPagemaps(dir: string): Promise<TaskPagemap[]> {
  const out: TaskPagemap[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const m = TASK_PAGEMAP.exec(name);
    if (!m) continue;
    const pagemap = decodePagemap(await readFile(join(dir, name)));
    out.push({ pid: Number(m[1]), pagemap, pagesFile: join(dir, `pages-${pagemap.pagesId}.img`) });
  }
  if (out.length === 0) throw new Error(`no pagemap-N.img in ${dir}: not a CRIU dump`);
  return out;
}

export interface ReducedImages {
  dir: string;
  files: Array<{ name: string; bytes: number }>;
  bytes: number;
  lazyPages: number;
  eagerPages: number;
}

/** Writes into `outDir` every image of `fullDir`, with task pagemaps and pages reduced to the eager part. */
export async function writeReducedImages(fullDir: string, outDir: string): Promise<ReducedImages> {
  await mkdir(outDir, { recursive: true });
  const tasks = await readTaskPagemaps(fullDir);
  const replaced = new Set<string>();
  let lazyPages = 0;
  let eagerPages = 0;
  for (const t of tasks) {
    const split = planLazySplit(t.pagemap);
    lazyPages += split.lazyPages;
    eagerPages += split.eagerPages;
    const pagesName = `pages-${t.pagemap.pagesId}.img`;
    await writeFile(join(outDir, `pagemap-${t.pid}.img`), encodePagemap(split.reduced));
    await copyRanges(t.pagesFile, join(outDir, pagesName), split.copy);
    replaced.add(`pagemap-${t.pid}.img`).add(pagesName);
  }
  for (const name of await readdir(fullDir)) {
    if (replaced.has(name) || name.endsWith(".log")) continue;
    await copyFile(join(fullDir, name), join(outDir, name));
  }
  const files: ReducedImages["files"] = [];
  for (const name of (await readdir(outDir)).sort()) files.push({ name, bytes: (await stat(join(outDir, name))).size });
  return { dir: outDir, files, bytes: files.reduce((n, f) => n + f.bytes, 0), lazyPages, eagerPages };
}

async function copyRanges(from: string, to: string, ranges: CopyRange[]): Promise<void> {
  const src = await open(from, "r");
  const dst = await open(to, "w");
  try {
    const buf = Buffer.alloc(4 << 20);
    for (const r of ranges) {
      let done = 0;
      while (done < r.length) {
        const want = Math.min(buf.length, r.length - done);
        const { bytesRead } = await src.read(buf, 0, want, r.from + done);
        if (bytesRead === 0) throw new Error(`${from} ends before offset ${r.from + done}`);
        await dst.write(buf, 0, bytesRead);
        done += bytesRead;
      }
    }
  } finally {
    await src.close();
    await dst.close();
  }
}

/** Rewrites the task pagemaps of an already reduced dump (CRIU's lazy dump) with adjacent lazy entries merged. */
export async function mergeLazyPagemaps(dir: string): Promise<void> {
  for (const t of await readTaskPagemaps(dir)) {
    const entries = mergeAdjacentLazy(t.pagemap.entries);
    if (entries.length === t.pagemap.entries.length) continue;
    const path = join(dir, `pagemap-${t.pid}.img`);
    await writeFile(`${path}.tmp`, encodePagemap({ ...t.pagemap, entries }));
    await rename(`${path}.tmp`, path);
  }
}
