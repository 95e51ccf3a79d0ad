// TABLE_MOD: table id, 3 pad bytes, config.
import type { TableMod } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodeTableModBody(w: Writer, m: TableMod): void {
  w.u8(m.tableId);
  w.zeros(3);
  w.u32(m.config);
}

export function decodeTableModBody(r: Reader, xid: number): TableMod {
  const tableId = r.u8();
  r.skip(3);
  return { type: "tableMod", xid, tableId, config: r.u32() };
}
