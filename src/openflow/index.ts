// Public API of the OpenFlow 1.3 wire codec: pure encode/decode, no I/O.
export * from "./addresses.js";
export { decodeMessage, encodeMessage, encodeMessages, writeMessage } from "./codec.js";
export * from "./bundle.js";
export * from "./constants.js";
export { describeOfError, OfDecodeError } from "./decode-error.js";
export { echoReplyFor } from "./echo.js";
export { errorFor } from "./error.js";
export { MessageFramer } from "./framer.js";
export { MessageStream, type StreamBatch } from "./stream.js";
export { negotiateVersion } from "./hello.js";
export type * from "./messages.js";
export { OXM_ORDER } from "./messages.js";
export { Writer } from "./wire.js";
