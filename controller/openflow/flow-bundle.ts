// Many FLOW_MODs installed as one atomic ONF bundle (src/openflow/bundle.ts): OPEN, one ADD per flow, then a
// BARRIER; only when the barrier shows no ADD was refused does the COMMIT go (OVS 3.1 keeps a bundle open past
// a refused ADD and would commit the rest). A flow that fails at commit fails them all. Nothing applies before
// the commit, so the ADDs go out in 64 KiB chunks while the rest is still being encoded: the switch parses
// them meanwhile, and a flow that turns out unencodable only discards the bundle.
// Every ADD has its own xid, so an ERROR names the flow. A switch that refuses ONF bundles (not OVS) gets the
// same FLOW_MODs plainly with a BARRIER, its ERRORs still named by flow, but without atomicity.
import {
  BUNDLE_HEADER_LEN,
  bundleControlMessage,
  OFPBCT,
  OFPBF,
  OFPBRC,
  OFPET,
  Writer,
  writeBundleAdd,
  writeMessage,
} from "../../src/openflow/index.js";
import type { ErrorMessage, FlowMod } from "../../src/openflow/messages.js";
import { installs, OpenFlowError, type SwitchSession } from "./session.js";

const FLAGS = OFPBF.ATOMIC | OFPBF.ORDERED;
/** Encoded bytes sent as soon as there are this many (sendBytes then writes them without a copy). */
const CHUNK = 64 * 1024;

/** The switch refused one of the flows: `index` is its position in the batch (-1: the bundle itself). */
export class FlowRefusedError extends OpenFlowError {
  constructor(
    error: ErrorMessage,
    readonly index: number,
    installed: boolean,
  ) {
    super(error);
    const what = index < 0 ? "the bundle" : `flows[${index}]`;
    this.message = `switch refused ${what} with OpenFlow error type ${error.errType} code ${error.code}; ${installed ? "the flows before it may be installed" : "no flow of this request was installed"}`;
    this.name = "FlowRefusedError";
  }
}

/** ERRORs that say the switch speaks no ONF bundle (experimenter or type unknown). */
function bundlesUnsupported(e: ErrorMessage): boolean {
  return e.errType === OFPET.BAD_REQUEST && (e.code === OFPBRC.BAD_EXPERIMENTER || e.code === OFPBRC.BAD_EXP_TYPE || e.code === OFPBRC.BAD_TYPE);
}

export class FlowBundle {
  private readonly w: Writer;
  /** The OPEN's xid; the ADDs follow it, then the BARRIER. */
  private readonly first: number;
  private readonly bundleId: number;
  private added = 0;
  /** Of those, the ADDs and MODIFYs: flows installed once the bundle applies. */
  private installing = 0;
  /** Bytes of `w` already handed to the connection. */
  private sent = 0;
  private refused: ErrorMessage | undefined;
  private unwatch: (() => void) | undefined;
  /** The switch holds no bundle of ours any more: committed (or the commit failed), or discarded. */
  private closed = false;

  /** Reserves xids for at most `capacity` flows; encode them with `add` (and `pump`), then `install`. */
  constructor(
    private readonly session: SwitchSession,
    private readonly capacity: number,
  ) {
    this.first = session.reserveXids(capacity + 2);
    this.bundleId = session.nextBundleId();
    this.w = new Writer(BUNDLE_HEADER_LEN * 2 + capacity * (BUNDLE_HEADER_LEN + 104));
    writeMessage(this.w, bundleControlMessage(this.first, { bundleId: this.bundleId, ctrlType: OFPBCT.OPEN_REQUEST, flags: FLAGS }));
    // Watched from the start: an ADD sent early may be refused before `install` runs.
    this.unwatch = session.watchErrors(this.first, this.first + capacity + 1, (e) => {
      this.refused ??= e;
    });
  }

  get size(): number {
    return this.added;
  }

  /** Encodes one flow; throws what the encoder throws (TypeError, RangeError), leaving the bundle as it was. */
  add(m: FlowMod): void {
    if (this.added >= this.capacity) throw new RangeError(`bundle holds at most ${this.capacity} flows`);
    writeBundleAdd(this.w, this.first + 1 + this.added, this.bundleId, FLAGS, m);
    this.added++;
    if (installs(m)) this.installing++;
  }

  /** Sends what is encoded once a chunk is full (the switch only parses it until the commit). */
  pump(): void {
    if (this.w.pos - this.sent >= CHUNK && !this.session.bundlesRefused) this.sendEncoded();
  }

  /** Gives up (a flow could not be encoded, or `install` failed on our side): the switch drops what it got. */
  abandon(): void {
    this.stopWatching();
    if (this.sent > 0) this.discard();
  }

  /** Sends the flows; resolves once the switch applied them all, rejects (FlowRefusedError) if it refused one. */
  async install(): Promise<void> {
    try {
      if (this.session.bundlesRefused) {
        this.closed = true;
        await this.installPlain();
        return this.session.countFlows(this.installing);
      }
      const barrierXid = this.first + 1 + this.added;
      writeMessage(this.w, { type: "barrierRequest", xid: barrierXid });
      const rest = this.w.buf.subarray(this.sent, this.w.pos);
      this.sent = this.w.pos;
      await this.session.requestBytes(rest, barrierXid);
      const refused = this.refused;
      if (refused?.xid === this.first && bundlesUnsupported(refused)) {
        this.session.bundlesRefused = true;
        this.closed = true; // no bundle was ever opened
        this.refused = undefined;
        await this.installPlain();
        return this.session.countFlows(this.installing);
      }
      if (refused) {
        this.discard();
        throw new FlowRefusedError(refused, refused.xid - this.first - 1, false);
      }
      // Once asked, the switch either applies the bundle or drops it: it is not ours to discard any more.
      this.closed = true;
      await this.session.request(bundleControlMessage(0, { bundleId: this.bundleId, ctrlType: OFPBCT.COMMIT_REQUEST, flags: FLAGS }));
      this.session.countFlows(this.installing);
    } catch (err) {
      // At commit, OVS names the failing flow by its ADD's xid before it fails the commit itself.
      const refused = this.refused;
      if (refused && err instanceof OpenFlowError && !(err instanceof FlowRefusedError)) throw new FlowRefusedError(refused, refused.xid - this.first - 1, false);
      throw err;
    } finally {
      this.stopWatching();
    }
  }

  private sendEncoded(): void {
    this.session.sendBytes(this.w.buf.subarray(this.sent, this.w.pos));
    this.sent = this.w.pos;
  }

  private discard(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.send(bundleControlMessage(0, { bundleId: this.bundleId, ctrlType: OFPBCT.DISCARD_REQUEST, flags: FLAGS }));
    } catch {
      // disconnected: the switch drops the bundle with the connection
    }
  }

  private stopWatching(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** The same FLOW_MODs unwrapped (each ADD's tail is its FLOW_MOD, same xid) and a BARRIER. */
  private async installPlain(): Promise<void> {
    const out = new Writer(this.w.pos);
    let at = BUNDLE_HEADER_LEN; // past the OPEN
    for (let i = 0; i < this.added; i++) {
      const len = this.w.buf.readUInt16BE(at + 2);
      out.bytes(this.w.buf.subarray(at + BUNDLE_HEADER_LEN, at + len));
      at += len;
    }
    const barrierXid = this.first + 1 + this.added;
    writeMessage(out, { type: "barrierRequest", xid: barrierXid });
    await this.session.requestBytes(out.buf.subarray(0, out.pos), barrierXid);
    const refused = this.refused;
    if (refused) throw new FlowRefusedError(refused, refused.xid - this.first - 1, true);
  }
}
