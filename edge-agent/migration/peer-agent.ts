// The other agent of a migration, as the runners and strategies call it: the
// source drives the destination's incoming migration and asks it about
// images; the destination asks the source how its migration stands. The HTTP
// implementation lives in service/ (strategies never speak HTTP themselves).
import type { IncomingOpened, Neighbour, Restored } from "../../src/api-types/agent.js";
import type { WorkloadRecord } from "../runtime/types.js";

export interface PeerAgent {
  /** The agent's base URL, e.g. http://10.213.3.2:7702. */
  readonly url: string;

  // ---- on a destination, called by the source --------------------------------

  /**
   * Opens incoming migration `migrationId` of `workload` from the agent at `source`; answers its bridge port there, if it has its own network.
   * The one-time token it answers is kept here and carried by every later call (and by token()).
   */
  openIncoming(migrationId: string, workload: WorkloadRecord, source: string, neighbours?: Neighbour[]): Promise<IncomingOpened>;
  /** Lets hook `hook` prepare its restore before the source freezes; false when the agent cannot (an older one). */
  prepareIncoming(migrationId: string, hook: string, params: Record<string, unknown>): Promise<boolean>;
  /** Restores what arrived with hook `hook`; resolves once the workload runs there. */
  restoreIncoming(migrationId: string, hook: string, params: Record<string, unknown>): Promise<Restored>;
  /** The source is done: the destination keeps the workload. */
  commitIncoming(migrationId: string): Promise<void>;
  /** The source gave up: the destination drops what it restored and the images. */
  abortIncoming(migrationId: string): Promise<void>;
  /** The image id the agent's engine has for `ref`; undefined when it has none or cannot say (never throws). */
  imageId(ref: string): Promise<string | undefined>;
  /**
   * `docker load` of FILE, an image tar that arrived with `migrationId`;
   * resolves the id the engine then has for `ref`, or "no-route" for an older
   * agent without that call (it loads the image at restore instead).
   */
  loadImage(migrationId: string, file: string, ref: string): Promise<{ id: string } | "no-route">;

  /** The migration's one-time token the destination drew at openIncoming; undefined before (or from an agent without tokens). */
  token(): string | undefined;

  /** Whether workload `workloadId` runs there (listed, with a process); "ended" when it is there failed or exited. Throws when unreachable. */
  workloadRuns(workloadId: string): Promise<boolean | "ended">;

  // ---- on a source, called by the destination --------------------------------

  /** The status of the source's migration `migrationId` (undefined when it does not say); throws when unreachable. */
  migrationStatus(migrationId: string): Promise<string | undefined>;
}
