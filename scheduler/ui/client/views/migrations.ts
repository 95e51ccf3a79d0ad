// Migrations view: each move as a card that walks PENDING ... COMPLETED or
// FAILED as its transition events arrive, with strategy, downtime, network
// reconfiguration time, its timeline and the FlexiMigrate log lines.
import type { MigrationState } from "../../../../src/api-types/scheduler.js";
import type { MigrationRow } from "../../state/migrations-state.js";
import { fill, h, ms, time } from "../dom.js";

const HAPPY: MigrationState[] = ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"];

export class MigrationsView {
  private readonly list: HTMLElement;
  /** Log panes a person opened stay open across renders. */
  private readonly open = new Set<string>();

  constructor(root: HTMLElement) {
    this.list = h("div", { class: "cards" });
    fill(root, h("h2", {}, "Migrations"), this.list);
  }

  render(rows: MigrationRow[]): void {
    if (rows.length === 0) fill(this.list, h("p", { class: "empty" }, "No migration yet."));
    else fill(this.list, ...rows.map((m) => this.card(m)));
  }

  private card(m: MigrationRow): HTMLElement {
    const steps = m.path.includes("ROLLING_BACK") || m.state === "FAILED" ? m.path : HAPPY;
    const reached = new Set(m.path);
    const details = h(
      "details",
      { open: this.open.has(m.id) },
      h("summary", {}, `timeline and log (${m.log.length} line${m.log.length === 1 ? "" : "s"})`),
      h("ol", { class: "timeline" }, ...m.timeline.map((t) => h("li", {}, h("time", {}, time(t.at)), " ", h("b", {}, t.state), " ", t.message))),
      h("pre", { class: "log" }, m.log.join("\n")),
    );
    details.addEventListener("toggle", () => (details.open ? this.open.add(m.id) : this.open.delete(m.id)));
    return h(
      "section",
      { class: `card migration ${m.state.toLowerCase()}`, "data-migration": m.id, "data-state": m.state },
      h("header", {}, h("strong", {}, m.id), h("span", {}, ` ${m.task}: ${m.from} → ${m.to}`), h("span", { class: `state ${m.state.toLowerCase()}`, "data-testid": "migration-state" }, m.state)),
      h("ol", { class: "steps" }, ...steps.map((s) => h("li", { class: `${reached.has(s) ? "done" : ""}${s === m.state ? " now" : ""}` }, s))),
      h(
        "dl",
        { class: "figures" },
        h("dt", {}, "strategy"),
        h("dd", {}, m.strategy ?? "–"),
        h("dt", {}, "downtime"),
        h("dd", {}, ms(m.downtimeMs)),
        h("dt", {}, "network reconfiguration"),
        h("dd", {}, ms(m.reconfigurationMs)),
        h("dt", {}, "total"),
        h("dd", {}, ms(m.totalMs)),
        h("dt", {}, "requested"),
        h("dd", {}, time(m.requestedAt)),
      ),
      m.error ? h("p", { class: "error" }, m.error) : null,
      details,
    );
  }
}
