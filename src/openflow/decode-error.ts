// The one error the decoders throw: it carries the OpenFlow error type/code to send back.
import { OFPET } from "./constants.js";

export class OfDecodeError extends Error {
  override readonly name = "OfDecodeError";
  constructor(
    /** OFPET_* */
    readonly errType: number,
    /** OFP*C_* code within errType */
    readonly code: number,
    message: string,
    /** True when the byte stream cannot be trusted any more (bad framing, failed HELLO): close after the ERROR. */
    readonly fatal = false,
    /** The offending bytes when the thrower has them (the framer does). */
    readonly offending?: Buffer,
  ) {
    super(message);
  }
}

/** A short, readable name like "BAD_REQUEST/BAD_LEN" for logs. */
export function describeOfError(errType: number, code: number): string {
  const typeName = Object.entries(OFPET).find(([, v]) => v === errType)?.[0] ?? `type ${errType}`;
  return `${typeName}/${code}`;
}
