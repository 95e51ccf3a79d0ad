// Nodes view: each edge and cloud node with two CPU bars (reserved by the
// scheduler's placements; measured by its agent), and its tasks with budget,
// predicted and measured latency (over the budget in red).
import { barFraction, type NodeRow, type TaskRow } from "../../state/cluster-state.js";
import { fill, h, ms } from "../dom.js";

export class NodesView {
  private readonly list: HTMLElement;

  constructor(root: HTMLElement) {
    this.list = h("div", { class: "cards" });
    fill(root, h("h2", {}, "Nodes"), this.list);
  }

  render(rows: Array<NodeRow & { tasks: TaskRow[] }>): void {
    if (rows.length === 0) fill(this.list, h("p", { class: "empty" }, "No node registered yet."));
    else fill(this.list, ...rows.map((n) => card(n)));
  }
}

function card(n: NodeRow & { tasks: TaskRow[] }): HTMLElement {
  return h(
    "section",
    { class: `card ${n.tier}`, "data-node": n.name },
    h("header", {}, h("strong", {}, n.name), h("span", { class: `tier ${n.tier}` }, n.tier), h("span", { class: "muted" }, `${n.cpus} cores · ${n.netDelayMs} ms net`)),
    bar("reserved", n.usedCpus, n.cpus, `${n.usedCpus.toFixed(2)} / ${n.cpus} cores`),
    bar("measured", n.measuredCpu ?? 0, 1, n.measuredCpu === null ? "no report yet" : `${Math.round(n.measuredCpu * 100)} % of the machine`),
    n.tasks.length === 0
      ? h("p", { class: "empty" }, "no task")
      : h(
          "div",
          { class: "scroll" },
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, h("th", {}, "task"), h("th", {}, "device"), h("th", {}, "share"), h("th", {}, "budget"), h("th", {}, "predicted"), h("th", {}, "measured p50 / p95"), h("th", {}, "misses"))),
            h("tbody", {}, ...n.tasks.map((t) => taskRow(t))),
          ),
        ),
  );
}

function bar(kind: string, used: number, total: number, text: string): HTMLElement {
  const f = barFraction(used, total);
  const fillBar = h("div", { class: `fill${f > 0.85 ? " hot" : ""}` });
  fillBar.style.width = `${(f * 100).toFixed(1)}%`;
  return h("div", { class: "bar-row" }, h("span", { class: "bar-label" }, kind), h("div", { class: "bar", role: "meter", "aria-valuenow": f.toFixed(2) }, fillBar), h("span", { class: "bar-text" }, text));
}

function taskRow(t: TaskRow): HTMLElement {
  const over = t.measuredP95 !== null && t.measuredP95 > t.budgetMs;
  return h(
    "tr",
    { "data-task": t.id, class: t.unavailable ? "unavailable" : "" },
    h("td", {}, t.id),
    h("td", {}, t.device),
    h("td", {}, t.cpuShare.toFixed(2)),
    h("td", {}, ms(t.budgetMs)),
    h("td", {}, ms(t.predictedMs)),
    h("td", { class: over ? "late" : "" }, `${ms(t.measuredP50)} / ${ms(t.measuredP95)}`),
    h("td", {}, t.missRate === null ? "–" : `${(t.missRate * 100).toFixed(1)} %`),
  );
}
