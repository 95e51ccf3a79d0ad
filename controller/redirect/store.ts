// Redirect history per service, so a rollback can restore the place, the
// flows and the DNS record that were in force before.
import type { RedirectRecord } from "../../src/api-types/controller.js";
import type { ServiceAddress } from "./plan.js";

/** A redirect as GET /v1/redirects shows it: one definition, in src/api-types. */
export type { RedirectRecord };

export class RedirectStore {
  private readonly records: RedirectRecord[] = [];
  private nextId = 1;

  allocateId(): number {
    return this.nextId++;
  }

  /** Puts back the history kept from an earlier run, in its order; new ids continue after the highest. */
  restore(records: RedirectRecord[]): void {
    for (const r of records) {
      this.records.push({ ...r });
      this.nextId = Math.max(this.nextId, r.id + 1);
    }
  }

  /** Replaces the whole history with `records` (a standby taking over loads the one in force). */
  replace(records: RedirectRecord[]): void {
    this.records.length = 0;
    this.restore(records);
  }

  add(r: RedirectRecord): void {
    for (const old of this.records) if (old.service === r.service && old.state === "active") old.state = "superseded";
    this.records.push(r);
  }

  get(id: number): RedirectRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  /** The redirect currently in force for a service. */
  active(service: string): RedirectRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i] as RedirectRecord;
      if (r.service === service && r.state === "active") return r;
    }
    return undefined;
  }

  /** The redirect that was in force before `r` (what a rollback of `r` restores). */
  previous(r: RedirectRecord): RedirectRecord | undefined {
    for (let i = this.records.indexOf(r) - 1; i >= 0; i--) {
      const p = this.records[i] as RedirectRecord;
      if (p.service === r.service && p.state !== "rolled-back" && p.rollbackOf === undefined) return p;
    }
    return undefined;
  }

  list(): RedirectRecord[] {
    return this.records.map((r) => ({ ...r }));
  }
}

export type { ServiceAddress };
