// `fleximigrate meters`: every switch's meters with their bands and counters
// (GET /v1/switches/:dpid/meters).
import { perSwitchCommand } from "./per-switch.js";

export const command = perSwitchCommand({
  name: "meters",
  description: "Shows the meters on the controller's switches (or one): flags, bands, flows using them, counters.",
  fetch: (client, dpid) => client.meters(dpid),
  header: ["METER", "FLAGS", "BANDS", "FLOWS", "PACKETS", "BYTES"],
  rows: (a) =>
    a.meters.map((m) => [
      m.meterId,
      m.flags.join(",") || "-",
      m.bands.map((b) => `${b.type}:rate=${b.rate},burst=${b.burstSize}${b.precLevel !== undefined ? `,prec=${b.precLevel}` : ""}`).join(" | ") || "-",
      m.flowCount,
      m.packetInCount,
      m.byteInCount,
    ]),
  empty: "(no meters)",
});
