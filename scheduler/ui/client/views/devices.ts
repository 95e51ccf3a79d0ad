// Devices view: per device, the latency it measured over time (each reported
// batch's p50 and max) against its task's budget (dashed red) and the model's
// prediction (dotted), with its task's migrations marked (start, and the end
// in green or red). Plain SVG: a small chart needs no charting library.
import { chartDomain, type DeviceSeries } from "../../state/devices-state.js";
import { fill, h, ms, svg, time } from "../dom.js";

const W = 640;
const H = 180;
const PAD = { left: 44, right: 8, top: 8, bottom: 20 };

export class DevicesView {
  private readonly list: HTMLElement;

  constructor(root: HTMLElement) {
    this.list = h("div", { class: "cards" });
    fill(root, h("h2", {}, "Devices"), this.list);
  }

  render(series: DeviceSeries[]): void {
    if (series.length === 0) fill(this.list, h("p", { class: "empty" }, "No device with a task yet."));
    else fill(this.list, ...series.map((s) => card(s)));
  }
}

function card(s: DeviceSeries): HTMLElement {
  const last = s.points.at(-1);
  return h(
    "section",
    { class: "card", "data-device": s.device },
    h("header", {}, h("strong", {}, s.device), h("span", { class: "muted" }, ` task ${s.task} on ${s.node ?? "–"} · budget ${ms(s.budgetMs)} · predicted ${ms(s.predictedMs)} · last p50 ${ms(last?.p50)}`)),
    chart(s),
  );
}

function chart(s: DeviceSeries): SVGElement {
  const { t0, t1, yMax } = chartDomain(s);
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const line = (key: "p50" | "max") => s.points.map((p, i) => `${i ? "L" : "M"}${x(p.at).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  const parts: SVGElement[] = [
    svg("line", { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom, class: "axis" }),
    svg("line", { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: "axis" }),
    svg("text", { x: 2, y: PAD.top + 8, class: "tick" }, `${Math.round(yMax)} ms`),
    svg("text", { x: 2, y: H - PAD.bottom, class: "tick" }, "0"),
    svg("text", { x: PAD.left, y: H - 4, class: "tick" }, s.points.length || s.marks.length ? time(t0) : "waiting for reports"),
    svg("text", { x: W - PAD.right - 50, y: H - 4, class: "tick" }, s.points.length || s.marks.length ? time(t1) : ""),
  ];
  if (s.budgetMs !== null) parts.push(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(s.budgetMs), y2: y(s.budgetMs), class: "budget" }, svg("title", {}, `budget ${s.budgetMs} ms`)));
  if (s.predictedMs !== null) parts.push(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(s.predictedMs), y2: y(s.predictedMs), class: "predicted" }, svg("title", {}, `predicted ${s.predictedMs.toFixed(1)} ms`)));
  for (const m of s.marks) {
    parts.push(svg("line", { x1: x(m.at), x2: x(m.at), y1: PAD.top, y2: H - PAD.bottom, class: `mark ${m.state.toLowerCase()}` }, svg("title", {}, `${m.migration} ${m.state} ${m.from}→${m.to} at ${time(m.at)}`)));
  }
  if (s.points.length) {
    parts.push(svg("path", { d: line("max"), class: "series max" }));
    parts.push(svg("path", { d: line("p50"), class: "series p50" }));
    for (const p of s.points) parts.push(svg("circle", { cx: x(p.at).toFixed(1), cy: y(p.p50).toFixed(1), r: 2.5, class: `dot${p.late ? " late" : ""}` }, svg("title", {}, `${time(p.at)}: p50 ${ms(p.p50)}, p95 ${ms(p.p95)}, max ${ms(p.max)}, ${p.late}/${p.count} late`)));
  }
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": `latency of ${s.device}` }, ...parts);
}
