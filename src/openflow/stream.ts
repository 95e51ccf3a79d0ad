// Framer + decoder for one connection, with the malformed-input policy in one place:
// a bad message yields an ERROR reply (same xid, first 64 bytes) and the stream goes on;
// broken framing yields an ERROR and `close`, since the byte stream cannot be resynchronised.
import { decodeMessage } from "./codec.js";
import { OfDecodeError } from "./decode-error.js";
import { errorFor } from "./error.js";
import { MessageFramer } from "./framer.js";
import type { ErrorMessage, OfMessage } from "./messages.js";

export interface StreamBatch {
  /** Messages decoded from this chunk, in order. */
  messages: OfMessage[];
  /** ERROR replies to send for the messages that could not be decoded. */
  replies: ErrorMessage[];
  /** What went wrong, one per reply, for the log line. */
  problems: OfDecodeError[];
  /** True when the connection must be closed after sending `replies`. */
  close: boolean;
}

export class MessageStream {
  private readonly framer = new MessageFramer();

  push(chunk: Buffer): StreamBatch {
    const batch: StreamBatch = { messages: [], replies: [], problems: [], close: false };
    const frames: Buffer[] = [];
    let framingError: OfDecodeError | undefined;
    try {
      this.framer.pushInto(chunk, frames);
    } catch (err) {
      if (!(err instanceof OfDecodeError)) throw err;
      framingError = err;
    }
    for (const frame of frames) {
      try {
        batch.messages.push(decodeMessage(frame));
      } catch (err) {
        if (!(err instanceof OfDecodeError)) throw err;
        batch.replies.push(errorFor(err, frame));
        batch.problems.push(err);
      }
    }
    if (framingError) {
      batch.replies.push(errorFor(framingError));
      batch.problems.push(framingError);
      batch.close = true;
    }
    return batch;
  }
}
