// `fleximigrate ports`: every switch's ports with their state, counters and
// rates (GET /v1/switches/:dpid/ports; the rates are over the time since the
// previous read of that switch's ports, so the first run shows none).
import { portName } from "./flows.js";
import { perSwitchCommand } from "./per-switch.js";

export const command = perSwitchCommand({
  name: "ports",
  description: `Shows the ports of the controller's switches (or one): state, flags, counters,
and rates in bytes and packets per second since the previous read of that
switch's ports (by any client; "-" on the first).`,
  fetch: (client, dpid) => client.ports(dpid),
  header: ["PORT", "NAME", "STATE", "FLAGS", "RX_PKTS", "TX_PKTS", "RX_BYTES", "TX_BYTES", "RX_B/S", "TX_B/S", "RX_P/S", "TX_P/S"],
  rows: (a) =>
    [...a.ports]
      .sort((x, y) => x.portNo - y.portNo)
      .map((p) => [
        portName(p.portNo),
        p.name,
        p.adminDown ? "admin-down" : p.linkDown ? "link-down" : "up",
        [p.noFlood ? "no-flood" : "", p.noPacketIn ? "no-packet-in" : ""].filter(Boolean).join(",") || "-",
        p.stats?.rxPackets,
        p.stats?.txPackets,
        p.stats?.rxBytes,
        p.stats?.txBytes,
        p.rates?.rxBytesPerSec,
        p.rates?.txBytesPerSec,
        p.rates?.rxPacketsPerSec,
        p.rates?.txPacketsPerSec,
      ]),
  empty: "(no ports)",
});
