// Small memory areas go with the images instead of on fault. A restored
// process's first answer touches its heap and stacks page by page, one round
// trip to the source each (~145 faults for the Python test workload, 138 of
// them in one 2.4 MiB anonymous area), while the large areas (the working
// set's buffers) wait. CRIU's lazy dump marks every anonymous private page
// lazy; here the lazy entries inside areas of at most EAGER_AREA_MAX bytes
// become present again (smallest areas first, up to EAGER_BUDGET bytes), their
// bytes read from the frozen task and put into pages-N.img in pagemap order.
import { open, readFile, rename, writeFile } from "node:fs/promises";
import { type TaskPagemap, readTaskPagemaps } from "./dump-images.js";
import { effectiveFlags, encodePagemap, isPresent, PAGE_SIZE, PE_LAZY, PE_PRESENT, type PagemapEntry } from "./pagemap-image.js";

export const EAGER_AREA_MAX = 4 << 20;
export const EAGER_BUDGET = 4 << 20;

export interface Area {
  start: number;
  end: number;
}

/** Indices of the lazy entries to send eagerly: inside an area no larger than maxArea, smallest areas first, within budget bytes. Pure. */
export function planEager(entries: PagemapEntry[], areas: Area[], maxArea = EAGER_AREA_MAX, budget = EAGER_BUDGET): Set<number> {
  const candidates: Array<{ index: number; areaSize: number; bytes: number }> = [];
  for (const [index, e] of entries.entries()) {
    if (effectiveFlags(e) !== PE_LAZY) continue;
    const end = e.vaddr + e.nrPages * PAGE_SIZE;
    const area = areas.find((a) => e.vaddr >= a.start && end <= a.end);
    if (!area || area.end - area.start > maxArea) continue;
    candidates.push({ index, areaSize: area.end - area.start, bytes: e.nrPages * PAGE_SIZE });
  }
  candidates.sort((a, b) => a.areaSize - b.areaSize || a.index - b.index);
  const out = new Set<number>();
  let left = budget;
  for (const c of candidates) {
    if (c.bytes > left) continue;
    out.add(c.index);
    left -= c.bytes;
  }
  return out;
}

/** The areas of /proc/PID/maps text. Pure. */
export function parseAreas(maps: string): Area[] {
  const out: Area[] = [];
  for (const line of maps.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s/.exec(line);
    if (m) out.push({ start: Number.parseInt(m[1]!, 16), end: Number.parseInt(m[2]!, 16) });
  }
  return out;
}

/** Rewrites the lazy dump in `dir` so small areas are eager; `hostPids` maps dump PIDs to ours. Returns the pages moved. */
export async function sendSmallAreasEagerly(dir: string, hostPids: Map<number, number>, budget = EAGER_BUDGET): Promise<number> {
  let moved = 0;
  for (const task of await readTaskPagemaps(dir)) {
    const host = hostPids.get(task.pid);
    if (host === undefined) continue;
    const plan = planEager(task.pagemap.entries, parseAreas(await readFile(`/proc/${host}/maps`, "utf8")), EAGER_AREA_MAX, budget - moved * PAGE_SIZE);
    if (plan.size === 0) continue;
    moved += await rewrite(task, plan, host);
  }
  return moved;
}

async function rewrite(task: TaskPagemap, plan: Set<number>, host: number): Promise<number> {
  const oldPages = await readFile(task.pagesFile);
  const mem = await open(`/proc/${host}/mem`, "r");
  const parts: Buffer[] = [];
  const entries: PagemapEntry[] = [];
  let offset = 0;
  let moved = 0;
  try {
    for (const [i, e] of task.pagemap.entries.entries()) {
      const bytes = e.nrPages * PAGE_SIZE;
      if (plan.has(i)) {
        const buf = Buffer.allocUnsafe(bytes);
        const { bytesRead } = await mem.read(buf, 0, bytes, e.vaddr);
        if (bytesRead !== bytes) throw new Error(`memory of pid ${host} is short at 0x${e.vaddr.toString(16)}`);
        parts.push(buf);
        entries.push({ ...e, flags: PE_PRESENT });
        moved += e.nrPages;
        continue;
      }
      entries.push(e);
      if (isPresent(e)) {
        parts.push(oldPages.subarray(offset, offset + bytes));
        offset += bytes;
      }
    }
  } finally {
    await mem.close();
  }
  await writeFile(`${task.pagesFile}.tmp`, Buffer.concat(parts));
  await rename(`${task.pagesFile}.tmp`, task.pagesFile);
  const pagemapFile = task.pagesFile.replace(/pages-\d+\.img$/, `pagemap-${task.pid}.img`);
  await writeFile(`${pagemapFile}.tmp`, encodePagemap({ ...task.pagemap, entries }));
  await rename(`${pagemapFile}.tmp`, pagemapFile);
  return moved;
}
