// RFC 7047 §4 wire codec: JSON-RPC 1.0 messages sent back to back on a
// stream with no delimiter, so the reader must find where each JSON value
// ends. Pure: bytes in, messages out.
//
// API:
//   new JsonStreamSplitter().push(chunk) -> unknown[] (each complete top-level JSON value)
//   encodeMessage(msg) -> Buffer
//   isResponse(msg) / isRequest(msg) type guards
//   echoReply(request) -> the reply an "echo" request needs (RFC 7047 §4.1.11)

export interface JsonRpcRequest {
  method: string;
  params: unknown[];
  id: number | string | null;
}

export interface JsonRpcResponse {
  result: unknown;
  error: unknown;
  id: number | string | null;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcResponse;

export function isRequest(m: unknown): m is JsonRpcRequest {
  return typeof m === "object" && m !== null && typeof (m as JsonRpcRequest).method === "string";
}

export function isResponse(m: unknown): m is JsonRpcResponse {
  return typeof m === "object" && m !== null && "id" in m && ("result" in m || "error" in m) && !("method" in m);
}

export function encodeMessage(msg: JsonRpcMessage): Buffer {
  return Buffer.from(JSON.stringify(msg), "utf8");
}

/** The server's liveness probe must be answered with the same params, same id. */
export function echoReply(req: JsonRpcRequest): JsonRpcResponse {
  return { result: req.params, error: null, id: req.id };
}

/**
 * Splits a byte stream of concatenated JSON objects/arrays. Tracks nesting
 * depth outside strings; a value is complete when depth returns to zero.
 * Works on bytes so a UTF-8 character split across chunks cannot confuse it
 * (every byte of a multi-byte character is >= 0x80, never a brace or quote).
 */
export class JsonStreamSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;

  /** Feeds bytes; returns every JSON value completed by them. Throws on malformed JSON. */
  push(chunk: Buffer | string): unknown[] {
    this.buf = Buffer.concat([this.buf, typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk]);
    const out: unknown[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true; // backslash
        else if (c === 0x22) this.inString = false; // quote
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (this.depth === 0) throw new Error("OVSDB stream: unbalanced closing bracket");
        this.depth--;
        if (this.depth === 0) {
          out.push(JSON.parse(this.buf.subarray(this.start, i + 1).toString("utf8")));
          this.buf = this.buf.subarray(i + 1);
          i = -1;
          this.start = -1;
        }
      } else if (this.depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        throw new Error(`OVSDB stream: unexpected byte 0x${c.toString(16)} between messages`);
      }
    }
    this.scanned = this.buf.length;
    if (this.depth === 0) {
      // Only whitespace is left: drop it.
      this.buf = Buffer.alloc(0);
      this.scanned = 0;
    }
    return out;
  }
}
