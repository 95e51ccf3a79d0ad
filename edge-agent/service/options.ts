// How an agent is configured, and the migration timing every agent should share.
import type { ClientTls } from "../../src/http/tls-fetch.js";
import type { AllowListConfig } from "./allow-list.js";

export interface AgentOptions {
  node: string;
  tier: "edge" | "cloud";
  /** Base URL other agents reach this one on. */
  selfUrl: string;
  /** Scratch root on tmpfs for images. */
  workRoot: string;
  /**
   * Where the workloads are journaled (state/journal.ts) and taken back from
   * at start (state/readopt.ts); none: memory only.
   */
  stateDir?: string;
  /** Accept `faults` in migration requests (tests only). */
  allowFaults?: boolean;
  compress?: boolean;
  bandwidthBps?: number;
  /** How often a destination asks the source about an uncommitted restore; SOURCE_POLL_MS unless given. */
  sourcePollMs?: number;
  /**
   * How long a destination keeps an uncommitted restore while it cannot reach the source;
   * ORPHAN_MS unless given. A source that cannot reach its destination waits longer than
   * this before resuming, so every agent must use the same value.
   */
  orphanMs?: number;
  /** The OVS bridge workloads with their own network attach to (--bridge); none: such workloads are refused. */
  bridge?: string;
  /** How long a migration with commit "manual" awaits commit before it rolls back; COMMIT_TIMEOUT_MS unless given. */
  commitTimeoutMs?: number;
  /** HTTPS with the project CA for calls to other agents (mutual TLS); none: plain HTTP (--insecure). */
  clientTls?: ClientTls;
  /** How post-copy pages cross to the destination (--page-wire): "relay" unless given. */
  pageWire?: "tls" | "relay" | "tcp";
  /** What workloads may run (--allow-command, --allow-image); defaultAllowList() unless given. */
  allow?: AllowListConfig;
}

/** How long a source awaits a manual commit before it rolls back by itself. */
export const COMMIT_TIMEOUT_MS = 300_000;

/** How long a destination keeps an uncommitted restore while it cannot reach the source. */
export const ORPHAN_MS = 10_000;

/** How often a destination asks the source whether an uncommitted migration still stands. */
export const SOURCE_POLL_MS = 1000;
