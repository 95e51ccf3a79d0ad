// Topology view: sites as boxes holding their switches, links (VXLAN dashed),
// hosts on their switch (a task's service IP named by its task), and the path
// each moved service's traffic takes now in orange. Drawn with Cytoscape.js;
// the graph is rebuilt from the view model (state/topology-state.ts) and laid
// out again only when its shape changed.
import cytoscape from "cytoscape";
import type { TopologyGraph } from "../../state/topology-state.js";
import { fill, h } from "../dom.js";

const STYLE: cytoscape.StylesheetJson = [
  { selector: "node", style: { label: "data(label)", "font-size": 10, "text-wrap": "wrap", "text-valign": "bottom", "text-margin-y": 4, color: "#1f2937" } },
  { selector: "node.site", style: { shape: "round-rectangle", "background-color": "#eef2ff", "border-color": "#818cf8", "border-width": 1, "text-valign": "top", "font-weight": "bold", padding: "18px" } },
  { selector: "node.switch", style: { shape: "round-rectangle", width: 34, height: 22, "background-color": "#2563eb" } },
  { selector: "node.host", style: { shape: "ellipse", width: 12, height: 12, "background-color": "#9ca3af", "font-size": 8 } },
  { selector: "node.task", style: { "background-color": "#10b981" } },
  { selector: "node.onpath", style: { "background-color": "#f97316", "border-color": "#c2410c", "border-width": 2 } },
  { selector: "edge", style: { width: 2, "line-color": "#94a3b8", "curve-style": "bezier", label: "data(label)", "font-size": 8, color: "#6b7280" } },
  { selector: "edge.vxlan", style: { "line-style": "dashed", "line-color": "#6366f1" } },
  { selector: "edge.attach", style: { width: 1, "line-color": "#d1d5db" } },
  { selector: "edge.onpath", style: { width: 4, "line-color": "#f97316" } },
];

export class TopologyView {
  private cy: cytoscape.Core | undefined;
  private shape = "";
  private readonly graphBox: HTMLElement;
  private readonly legend: HTMLElement;

  constructor(private readonly root: HTMLElement) {
    this.graphBox = h("div", { class: "graph", "data-testid": "topology-graph" });
    this.legend = h("div", { class: "legend" });
    fill(root, h("h2", {}, "Topology"), this.legend, this.graphBox);
  }

  render(g: TopologyGraph): void {
    this.root.dataset.switches = String(g.switches.length);
    fill(
      this.legend,
      h("span", { "data-testid": "switch-count" }, `${g.switches.length} switch(es)`),
      ` · ${g.links.length} link(s) (${g.links.filter((l) => l.vxlan).length} VXLAN) · ${g.hosts.length} host(s) · `,
      g.paths.length ? h("span", { class: "path-note" }, `moved: ${g.paths.map((p) => `${p.service} via ${p.switches.length} switch(es)`).join(", ")}`) : "no moved service",
      h("ul", { class: "switch-list" }, ...g.switches.map((s) => h("li", { "data-dpid": s.id }, s.label.replace(/\n/g, " · ")))),
    );
    const elements: cytoscape.ElementDefinition[] = [
      ...g.sites.map((s) => ({ data: { id: s.id, label: s.label }, classes: "site" })),
      ...g.switches.map((s) => ({ data: { id: s.id, label: s.label, parent: s.site }, classes: `switch${s.onPath ? " onpath" : ""}` })),
      ...g.hosts.map((x) => ({ data: { id: x.id, label: x.label, parent: g.switches.find((s) => s.id === x.switch)?.site }, classes: `host${x.task ? " task" : ""}${x.onPath ? " onpath" : ""}` })),
      ...g.links.map((l) => ({ data: { id: `link:${l.id}`, source: l.source, target: l.target, label: l.label }, classes: `${l.vxlan ? "vxlan" : ""}${l.onPath ? " onpath" : ""}` })),
      ...g.hosts.map((x) => ({ data: { id: `attach:${x.id}`, source: x.id, target: x.switch, label: "" }, classes: `attach${x.onPath ? " onpath" : ""}` })),
    ];
    // What needs a new layout: an element added or gone, or one that moved (a host to another switch, a switch to another site).
    const shape = elements.map((e) => `${e.data.id}>${e.data.source ?? ""}>${e.data.target ?? ""}>${e.data.parent ?? ""}`).sort().join(",");
    if (!this.cy) {
      this.cy = cytoscape({ container: this.graphBox, elements, style: STYLE, layout: { name: "cose", animate: false }, minZoom: 0.2, maxZoom: 3 });
      this.shape = shape;
      return;
    }
    const cy = this.cy;
    if (shape !== this.shape) {
      cy.batch(() => {
        cy.elements().remove();
        cy.add(elements);
      });
      cy.layout({ name: "cose", animate: false }).run();
      this.shape = shape;
      return;
    }
    // Same shape: labels and classes only (a path lit, a host named), no new layout.
    cy.batch(() => {
      for (const e of elements) {
        const el = cy.getElementById(String(e.data.id));
        el.data("label", e.data.label);
        el.classes(e.classes ?? "");
      }
    });
  }

  /** Cytoscape measures its box: after the tab becomes visible, fit again. */
  shown(): void {
    this.cy?.resize();
    this.cy?.fit(undefined, 20);
  }
}
