// report.html: one self-contained page (inline SVG and CSS, no script, no
// network) with the runs' plots, rendered to SVG in Node by Vega (no browser),
// and the tables a reader checks first (WAN, FSM cases, moved services).
import * as vega from "vega";
import { compile } from "vega-lite";
import type { Measurements } from "../scenario/measurements.js";
import { plotSpecs } from "./specs.js";

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function specToSvg(spec: Parameters<typeof compile>[0]): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function table(head: string[], rows: unknown[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

const f2 = (n: number | null | undefined) => (typeof n === "number" ? n.toFixed(2) : "—");

export async function renderReport(runs: Measurements[]): Promise<string> {
  const plots = plotSpecs(runs);
  const figures: string[] = [];
  for (const p of plots) figures.push(`<figure class="plot" id="plot-${p.id}"><figcaption>${esc(p.title)}</figcaption>${await specToSvg(p.spec)}</figure>`);
  const sections = runs.map((m) => {
    const wan = m.testbed.flatMap((t) => t.wan.map((w) => [t.policy, `${w.site}↔cloud`, w.configuredRttMs, f2(w.rttMedianMs), f2(w.rttMinMs), f2(w.jitterMdevMs), f2(w.addedOverConfiguredMs)]));
    const fsm = m.fsm.map((x) => [x.case, x.states.join(" → "), x.expectedStates.join(" → "), x.copies.join(", ") || "nowhere", x.expectedNode, x.ok ? "yes" : "NO"]);
    const moved = m.moved.map((x) => [x.task, x.ip, x.to, x.copies.join(", "), x.answered ? "yes" : "NO"]);
    const delays = m.testbed.flatMap((t) => t.delays.map((d) => [t.policy, d.node, d.tier, d.registeredMs]));
    const strategies = (m.strategies ?? []).map((x) => [
      x.strategy,
      x.ran ?? "—",
      x.sizeMiB,
      x.via,
      `${x.from}→${x.to}`,
      x.state,
      x.downtimeMs ?? "—",
      x.totalMs ?? "—",
      x.bytes ?? "—",
      f2(x.rateMbit),
      f2(x.transferMbit),
      x.error ?? "",
    ]);
    const groups = (m.groups ?? []).flatMap((g) => [
      [`${g.group} (${g.id})`, "group", `→${g.to}`, g.strategy, g.state, g.totalMs ?? "—", `${g.rounds.length} rounds: ${g.rounds.map((r) => `[${r.tasks.join(", ")}]`).join(" ")}`, g.error ?? ""],
      ...g.members.map((x) => [x.task, `${x.member} (order ${x.order})`, `${x.from}→${x.runsOn}`, x.phase, x.state ?? "—", x.downtimeMs ?? "—", `runs on ${x.copies.join(", ") || "nothing"}`, x.error ?? ""]),
    ]);
    return `<section><h2>${esc(m.run.id)}</h2>
<p>Scenario <b>${esc(m.scenario.name)}</b> (${esc(m.scenario.kind)}, seed ${m.scenario.seed}), ${esc(m.run.startedAt)} – ${esc(m.run.finishedAt)}. ${esc(m.scenario.description)}</p>
${m.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("")}
<h3>WAN: configured against measured (ping RTT through the relay)</h3>${table(["policy", "link", "configured RTT ms", "median RTT ms", "min RTT ms", "jitter (mdev) ms", "measured − configured ms"], wan)}
<h3>Nodes' measured delay to the devices (as registered)</h3>${table(["policy", "node", "tier", "ms"], delays)}
${fsm.length ? `<h3>FSM scenarios</h3>${table(["case", "states", "expected", "runs on", "expected on", "as expected"], fsm)}` : ""}
${moved.length ? `<h3>Moved services on their unchanged IPs</h3>${table(["task", "service IP", "moved to", "runs on", "answers"], moved)}` : ""}
${strategies.length ? `<h3>Strategies: the same workload edge→cloud over the WAN</h3>${table(["strategy", "ran as", "MiB", "via", "move", "outcome", "downtime ms", "total ms", "bytes moved", "rate Mbit/s (bytes / total)", "frozen transfer Mbit/s", "error"], strategies)}` : ""}
${groups.length ? `<h3>Group migration</h3>${table(["task", "member", "move", "phase / strategy", "state", "downtime / total ms", "where", "error"], groups)}` : ""}
${m.policies.length ? `<h3>Deadline misses</h3>${table(["policy", "requests", "misses", "rate %"], m.policies.map((p) => [p.policy, p.requests, p.misses, (p.missRate * 100).toFixed(2)]))}` : ""}
</section>`;
  });
  const title = runs.length === 1 ? `FlexiMigrate testbed: ${runs[0]!.scenario.name}` : `FlexiMigrate testbed: ${runs.length} runs side by side`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.3em}.note{color:#a60}</style>
</head><body><h1>${esc(title)}</h1>
${figures.length ? figures.join("\n") : "<p>No plot: these runs measured nothing a plot shows.</p>"}
${sections.join("\n")}
</body></html>
`;
}
