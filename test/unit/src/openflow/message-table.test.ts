// The message table is the one place a message type is declared: its wire
// codes must be distinct, and a message must come back from the wire under
// the type name it was encoded under (the code, encoder and decoder agree).
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../../../src/openflow/index.js";
import { MESSAGES } from "../../../../src/openflow/message-table.js";
import type { OfMessage } from "../../../../src/openflow/messages.js";

describe("OpenFlow message table", () => {
  it("gives every message type its own wire code", () => {
    const codes = Object.values(MESSAGES).map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("writes each header-only message under its code and reads it back as the same type", () => {
    const samples: OfMessage[] = [
      { type: "featuresRequest", xid: 1 },
      { type: "getConfigRequest", xid: 2 },
      { type: "barrierRequest", xid: 3 },
      { type: "barrierReply", xid: 4 },
      { type: "echoRequest", xid: 5, data: Buffer.from("x") },
      { type: "setConfig", xid: 6, flags: 0, missSendLen: 128 },
    ];
    for (const m of samples) {
      const bytes = encodeMessage(m);
      expect(bytes[1], m.type).toBe(MESSAGES[m.type].code);
      expect(decodeMessage(bytes)).toEqual(m);
    }
  });
});
