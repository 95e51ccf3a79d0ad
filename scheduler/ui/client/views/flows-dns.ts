// Flows and DNS view: pick a switch, see its flow table as the switch answers
// it (MULTIPART, read again whenever the controller reports its flows
// changed), and the DNS zone's records as they are set and deleted.
import { dnsRows, type FlowsDnsState, flowText } from "../../state/flows-dns-state.js";
import { fill, h, time } from "../dom.js";

export class FlowsDnsView {
  private readonly picker: HTMLSelectElement;
  private readonly flows: HTMLElement;
  private readonly dns: HTMLElement;

  constructor(root: HTMLElement, onSelect: (dpid: string | null) => void) {
    this.picker = h("select", { "aria-label": "switch", "data-testid": "switch-picker" });
    this.picker.addEventListener("change", () => onSelect(this.picker.value || null));
    this.flows = h("div", { class: "scroll" });
    this.dns = h("div", { class: "scroll" });
    fill(root, h("h2", {}, "Flows and DNS"), h("label", {}, "switch ", this.picker), this.flows, h("h3", {}, "DNS records"), this.dns);
  }

  render(state: FlowsDnsState, switches: Array<{ id: string; label: string }>): void {
    const options = [h("option", { value: "" }, "choose a switch"), ...switches.map((s) => h("option", { value: s.id, selected: s.id === state.selected }, s.label.replace(/\n/g, " · ")))];
    if (this.picker.options.length !== options.length || [...this.picker.options].some((o, i) => o.value !== options[i]!.getAttribute("value"))) {
      fill(this.picker, ...options);
    }
    this.picker.value = state.selected ?? "";
    if (!state.selected) fill(this.flows, h("p", { class: "empty" }, "Choose a switch to read its flow table."));
    else
      fill(
        this.flows,
        h("p", { class: "muted" }, `${state.flows.length} flow(s) on ${state.selected}${state.flowsReadAt ? `, read ${time(state.flowsReadAt)}` : ", reading…"}`),
        h(
          "table",
          { "data-testid": "flow-table" },
          h("thead", {}, h("tr", {}, h("th", {}, "table"), h("th", {}, "prio"), h("th", {}, "owner"), h("th", {}, "match"), h("th", {}, "instructions"), h("th", {}, "packets"))),
          h(
            "tbody",
            {},
            ...state.flows.map((f) => {
              const t = flowText(f);
              return h("tr", {}, h("td", {}, f.tableId), h("td", {}, f.priority), h("td", {}, f.owner), h("td", { class: "code" }, t.match), h("td", { class: "code" }, t.actions), h("td", {}, f.packetCount));
            }),
          ),
        ),
      );
    const records = dnsRows(state);
    fill(
      this.dns,
      h("p", { class: "muted" }, `zone ${state.zone ?? "–"}: ${records.length} record(s)`),
      h(
        "table",
        { "data-testid": "dns-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "name"), h("th", {}, "address"), h("th", {}, "ttl"), h("th", {}, "updated"))),
        h("tbody", {}, ...records.map((r) => h("tr", {}, h("td", {}, r.name), h("td", {}, r.ip), h("td", {}, r.ttl), h("td", {}, time(r.updatedAt))))),
      ),
    );
  }
}
