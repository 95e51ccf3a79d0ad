// Which lazy pages the destination still lacks, and whether each request was a
// page fault or background transfer. CRIU 4.1's lazy-pages daemon asks for a
// fault as exactly one page at the faulting address; its background transfer
// asks for a chunk (64 KiB growing to 4 MiB) starting at the lowest page it
// still lacks. So a request for more than one page is background, and a
// one-page request is background only when it is the last lone page at the
// lowest unsent address.
import { PAGE_SIZE } from "./pagemap-image.js";

export interface LazyRun {
  vaddr: number;
  nrPages: number;
}

export type RequestKind = "fault" | "push";

export interface TrackerStats {
  pagesTotal: number;
  pagesOnFault: number;
  pagesPushed: number;
  /** Pages asked for again after they were sent (should stay 0). */
  pagesResent: number;
  pagesRemaining: number;
}

interface PidPages {
  runs: Array<LazyRun & { base: number }>;
  sent: Uint8Array;
  /** Lowest page index not yet sent (advances monotonically). */
  cursor: number;
}

export class PageTracker {
  private readonly pids = new Map<number, PidPages>();
  private readonly stats: TrackerStats = { pagesTotal: 0, pagesOnFault: 0, pagesPushed: 0, pagesResent: 0, pagesRemaining: 0 };

  constructor(lazyRunsByPid: Map<number, LazyRun[]>) {
    for (const [pid, runs] of lazyRunsByPid) {
      const sorted = [...runs].sort((a, b) => a.vaddr - b.vaddr);
      let base = 0;
      const indexed = sorted.map((r) => {
        const out = { ...r, base };
        base += r.nrPages;
        return out;
      });
      this.pids.set(pid, { runs: indexed, sent: new Uint8Array(base), cursor: 0 });
      this.stats.pagesTotal += base;
    }
    this.stats.pagesRemaining = this.stats.pagesTotal;
  }

  snapshot(): TrackerStats {
    return { ...this.stats };
  }

  get remaining(): number {
    return this.stats.pagesRemaining;
  }

  classify(pid: number, vaddr: number, nrPages: number): RequestKind {
    if (nrPages > 1) return "push";
    const p = this.pids.get(pid);
    const at = p ? this.pageIndex(p, vaddr) : undefined;
    if (!p || at === undefined) return "fault";
    if (at.index !== p.cursor) return "fault";
    const next = at.index + 1;
    const loneTail = next >= at.runEnd || p.sent[next] === 1;
    return loneTail ? "push" : "fault";
  }

  /** Records pages as sent; pages outside the lazy set are ignored. */
  markSent(pid: number, vaddr: number, nrPages: number, kind: RequestKind): void {
    const p = this.pids.get(pid);
    if (!p) return;
    for (let i = 0; i < nrPages; i++) {
      const at = this.pageIndex(p, vaddr + i * PAGE_SIZE);
      if (!at) continue;
      if (p.sent[at.index]) {
        this.stats.pagesResent++;
        continue;
      }
      p.sent[at.index] = 1;
      this.stats.pagesRemaining--;
      if (kind === "fault") this.stats.pagesOnFault++;
      else this.stats.pagesPushed++;
    }
    while (p.cursor < p.sent.length && p.sent[p.cursor]) p.cursor++;
  }

  private pageIndex(p: PidPages, vaddr: number): { index: number; runEnd: number } | undefined {
    let lo = 0;
    let hi = p.runs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = p.runs[mid]!;
      if (vaddr < r.vaddr) hi = mid - 1;
      else if (vaddr >= r.vaddr + r.nrPages * PAGE_SIZE) lo = mid + 1;
      else return { index: r.base + Math.floor((vaddr - r.vaddr) / PAGE_SIZE), runEnd: r.base + r.nrPages };
    }
    return undefined;
  }
}
