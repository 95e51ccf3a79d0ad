// The switch's MULTIPART answers as the API shows them: group desc and stats
// merged per group, meter config and stats per meter, table stats with their
// features, queue stats, ports with counters and rates. Pure; counters become
// numbers (exact below 2^53), 64-bit masks "0x..." strings.
import type { GroupView, MeterView, PortRatesView, PortView, QueueView, TableView } from "../../src/api-types/controller.js";
import { OFPMF, OFPPC } from "../../src/openflow/index.js";
import type { GroupDesc, GroupStats, MeterConfig, MeterStats, PortDesc, PortStats, QueueStats, TableFeatures, TableStats } from "../../src/openflow/messages.js";
import { toJsonValue } from "./flow-json.js";

const OFPPS_LINK_DOWN = 1;

export function groupViews(descs: readonly GroupDesc[], stats: readonly GroupStats[]): GroupView[] {
  const statsById = new Map(stats.map((s) => [s.groupId, s]));
  return [...descs]
    .sort((a, b) => a.groupId - b.groupId)
    .map((g) => {
      const s = statsById.get(g.groupId);
      return {
        groupId: g.groupId,
        type: g.groupType,
        refCount: s?.refCount ?? 0,
        packetCount: Number(s?.packetCount ?? 0n),
        byteCount: Number(s?.byteCount ?? 0n),
        durationSec: s?.durationSec ?? 0,
        buckets: g.buckets.map((b, i) => ({
          weight: b.weight ?? 0,
          watchPort: b.watchPort ?? 0xffffffff,
          watchGroup: b.watchGroup ?? 0xffffffff,
          actions: toJsonValue(b.actions) as Array<Record<string, unknown>>,
          packetCount: Number(s?.bucketStats[i]?.packetCount ?? 0n),
          byteCount: Number(s?.bucketStats[i]?.byteCount ?? 0n),
        })),
      };
    });
}

const METER_FLAGS: Array<[number, string]> = [
  [OFPMF.KBPS, "kbps"],
  [OFPMF.PKTPS, "pktps"],
  [OFPMF.BURST, "burst"],
  [OFPMF.STATS, "stats"],
];

export function meterViews(configs: readonly MeterConfig[], stats: readonly MeterStats[]): MeterView[] {
  const statsById = new Map(stats.map((s) => [s.meterId, s]));
  return [...configs]
    .sort((a, b) => a.meterId - b.meterId)
    .map((m) => {
      const s = statsById.get(m.meterId);
      return {
        meterId: m.meterId,
        flags: METER_FLAGS.filter(([bit]) => (m.flags & bit) !== 0).map(([, name]) => name),
        flowCount: s?.flowCount ?? 0,
        packetInCount: Number(s?.packetInCount ?? 0n),
        byteInCount: Number(s?.byteInCount ?? 0n),
        durationSec: s?.durationSec ?? 0,
        bands: m.bands.map((b, i) => ({
          type: b.kind,
          rate: b.rate,
          burstSize: b.burstSize,
          ...(b.kind === "dscpRemark" ? { precLevel: b.precLevel } : {}),
          ...(b.kind === "experimenter" ? { experimenter: b.experimenter } : {}),
          packetCount: Number(s?.bandStats[i]?.packetBandCount ?? 0n),
          byteCount: Number(s?.bandStats[i]?.byteBandCount ?? 0n),
        })),
      };
    });
}

/** Every table the stats name, with its features when the switch gave them. */
export function tableViews(stats: readonly TableStats[], features: readonly TableFeatures[]): TableView[] {
  const featuresById = new Map(features.map((f) => [f.tableId, f]));
  return [...stats]
    .sort((a, b) => a.tableId - b.tableId)
    .map((t) => {
      const f = featuresById.get(t.tableId);
      const prop = <K extends string>(kind: K) => f?.properties.find((p) => p.kind === kind);
      const next = prop("nextTables");
      const match = prop("match");
      const ins = prop("instructions");
      const apply = prop("applyActions");
      return {
        tableId: t.tableId,
        name: f?.name ?? "",
        activeCount: t.activeCount,
        lookupCount: Number(t.lookupCount),
        matchedCount: Number(t.matchedCount),
        maxEntries: f?.maxEntries ?? 0,
        metadataMatch: `0x${(f?.metadataMatch ?? 0n).toString(16)}`,
        metadataWrite: `0x${(f?.metadataWrite ?? 0n).toString(16)}`,
        nextTables: next && "tableIds" in next ? next.tableIds : [],
        matchFields: match && "oxmIds" in match ? match.oxmIds.length : 0,
        instructions: ins && "ids" in ins ? ins.ids.map((i) => i.type) : [],
        applyActions: apply && "ids" in apply ? apply.ids.map((i) => i.type) : [],
      };
    });
}

export function queueViews(stats: readonly QueueStats[]): QueueView[] {
  return [...stats]
    .sort((a, b) => a.portNo - b.portNo || a.queueId - b.queueId)
    .map((q) => ({
      portNo: q.portNo,
      queueId: q.queueId,
      txBytes: Number(q.txBytes),
      txPackets: Number(q.txPackets),
      txErrors: Number(q.txErrors),
      durationSec: q.durationSec,
    }));
}

export function portView(p: PortDesc, stats: PortStats | undefined, rates: PortRatesView | null | undefined, noFlood: boolean): PortView {
  const adminDown = (p.config & OFPPC.PORT_DOWN) !== 0;
  const linkDown = (p.state & OFPPS_LINK_DOWN) !== 0;
  return {
    portNo: p.portNo,
    name: p.name,
    hwAddr: p.hwAddr,
    up: !adminDown && !linkDown,
    config: p.config,
    state: p.state,
    currSpeed: p.currSpeed,
    adminDown,
    linkDown,
    noPacketIn: (p.config & OFPPC.NO_PACKET_IN) !== 0,
    noFlood,
    stats: stats
      ? {
          rxPackets: Number(stats.rxPackets),
          txPackets: Number(stats.txPackets),
          rxBytes: Number(stats.rxBytes),
          txBytes: Number(stats.txBytes),
          rxDropped: Number(stats.rxDropped),
          txDropped: Number(stats.txDropped),
          rxErrors: Number(stats.rxErrors),
          txErrors: Number(stats.txErrors),
          durationSec: stats.durationSec,
        }
      : null,
    rates: rates ?? null,
  };
}
