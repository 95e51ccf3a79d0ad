// Rule 3: free an edge node for a new request by moving running edge requests
// to the cloud, in move order (see moveOrder), each to the most used cloud
// node that fits it at its own budget, until the new request fits.
//
// The plan is found as a trial: cloud nodes hold the moved shares as
// reservations and freed edge CPU is only counted, so a failed plan costs one
// release per reservation and leaves the state exactly as it was. Candidates
// come from the move streams merged by a heap on their heads, so a decision
// touches only the requests it considers, never every edge request.
import type { ClusterState } from "./cluster-state.js";
import { moveOrder } from "./move-index.js";
import type { MoveStream, NodeState, PlacedTask } from "./node-state.js";
import { type NeedAt, needMilli, toCores } from "./share.js";
import type { Migration } from "./types.js";

interface Move {
  task: PlacedTask;
  to: NodeState;
  shareMilli: number;
}

interface Head {
  stream: MoveStream;
  task: PlacedTask;
}

/**
 * Applies moves until the new request (needing `need`) fits some edge node and returns
 * them; returns null, with the state untouched, when no sequence of moves makes room.
 * Candidates are skipped when their edge node could not take the new request even if
 * empty (moving them cannot help) or when no cloud node fits them at their own budget.
 */
export function planMoves(state: ClusterState, need: NeedAt): Migration[] | null {
  if (!state.moves.edgeCouldFitAfterMoves(need)) return null;
  const heap: Head[] = [];
  for (const stream of state.moves.streams.values()) {
    const m = need(stream.netDelayMs);
    if (m >= 0 && m <= stream.capMilli) heap.push({ stream, task: stream.tasks.first()! });
  }
  if (heap.length === 0) return null;
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);

  const trial: Move[] = [];
  const freed = new Map<NodeState, number>();
  let task = heap[0]!.task;
  // One closure for the whole plan (not one per candidate): it reads `task`,
  // remembering the needs of the current candidate per cloud delay.
  let memoFor: PlacedTask | undefined;
  const delays: number[] = [];
  const needs: number[] = [];
  const taskNeed: NeedAt = (d) => {
    if (memoFor !== task) {
      memoFor = task;
      delays.length = 0;
      needs.length = 0;
    }
    for (let i = 0; i < delays.length; i++) if (delays[i] === d) return needs[i]!;
    const m = needMilli(task.model, task.request.delayBudgetMs, d);
    delays.push(d);
    needs.push(m);
    return m;
  };
  let fitted = false;
  while (heap.length > 0) {
    const top = heap[0]!;
    task = top.task;
    const to = state.finder.mostUsedFit("cloud", taskNeed);
    if (!to) {
      // Later requests of this stream need at least as much CPU and the cloud only
      // fills up while planning: none of them can move either.
      pop(heap);
      continue;
    }
    const shareMilli = taskNeed(to.netDelayMs);
    state.reserve(to, shareMilli);
    trial.push({ task, to, shareMilli });
    const from = task.node;
    const free = from.capMilli - from.usedMilli + (freed.get(from) ?? 0) + task.shareMilli;
    freed.set(from, (freed.get(from) ?? 0) + task.shareMilli);
    // Only the node just freed gained room, so checking it is enough.
    const m = need(from.netDelayMs);
    if (m >= 0 && m <= free) {
      fitted = true;
      break;
    }
    const next = top.stream.tasks.after(task);
    if (next) {
      top.task = next;
      siftDown(heap, 0);
    } else pop(heap);
  }
  if (!fitted) {
    for (const mv of trial) state.reserve(mv.to, -mv.shareMilli);
    return null;
  }
  return trial.map((mv) => {
    const from = mv.task.node.name;
    state.moveIntoReservation(mv.task, mv.to, mv.shareMilli);
    return { request: mv.task.request.id, from, to: mv.to.name, cpuShare: toCores(mv.shareMilli) };
  });
}

function pop(heap: Head[]): void {
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    siftDown(heap, 0);
  }
}

function siftDown(heap: Head[], i: number): void {
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let best = i;
    if (l < n && moveOrder(heap[l]!.task, heap[best]!.task) < 0) best = l;
    if (r < n && moveOrder(heap[r]!.task, heap[best]!.task) < 0) best = r;
    if (best === i) return;
    [heap[i], heap[best]] = [heap[best]!, heap[i]!];
    i = best;
  }
}
