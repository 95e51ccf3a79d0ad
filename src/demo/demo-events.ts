// The scheduler's event stream as `up`'s demo shows it: every event printed
// as it comes (a line of text, or the JSON object with --json) and counted
// for the summary at the end.
import WebSocket from "ws";
import { CliError } from "../cli/command.js";
import { type ClientTls, wsTlsOptions } from "../http/tls-fetch.js";

export interface DemoCounts {
  placed: number;
  refused: number;
  moves: number;
  released: number;
  /** Placements that needed moves (rule 3). */
  case3: number;
}

export function newCounts(): DemoCounts {
  return { placed: 0, refused: 0, moves: 0, released: 0, case3: 0 };
}

/** Adds one event to the counts. */
export function countEvent(c: DemoCounts, e: Record<string, unknown>): void {
  if (e.type === "placed") {
    c.placed++;
    if (e.case === 3) c.case3++;
  } else if (e.type === "refused") c.refused++;
  else if (e.type === "migration-requested") c.moves++;
  else if (e.type === "released") c.released++;
}

/** Opens /v1/events and hands every event to `onEvent`; resolves once the stream is open. */
export async function followEvents(schedulerUrl: string, tls: ClientTls | undefined, onEvent: (event: Record<string, unknown>) => void): Promise<WebSocket> {
  const socket = new WebSocket(`${schedulerUrl.replace(/^http/, "ws")}/v1/events`, wsTlsOptions(tls, "scheduler"));
  socket.on("message", (raw) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(String(raw));
    } catch {
      return;
    }
    onEvent(event);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", (err) => reject(new CliError(`cannot follow the scheduler's events: ${err.message}`, 1)));
  });
  // Once open, a broken stream only means the scheduler is going away, which is handled where it exits.
  socket.on("error", () => {});
  return socket;
}
