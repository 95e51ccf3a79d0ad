// One group migration, run through the migration manager: the destination
// was checked for every member before this starts (the service does it);
// then rounds of member moves (the balancer says how many at once, start
// order and one-replica-at-a-time say which), each a manager migration like
// an operator's, and one outcome: all moved, or the moved ones moved back
// (onFailure "rollback") or left ("leave"). Pure decisions live beside this
// file; this only sequences them over the ports.
import type {
  GroupFailurePolicy,
  GroupMemberView,
  GroupMigrationRecord,
  GroupMigrationState,
  GroupRound,
  MoveFaults,
  MoveRecord,
  MoveStrategy,
} from "../../../src/api-types/scheduler.js";
import { type BalancerBounds, nextParallelism, type ParallelismChoice, type RoundMeasure } from "./balancer.js";
import { type GroupMember, inStartOrder, type MemberProgress, pickRound } from "./members.js";
import { groupOutcome, rollbackPlan } from "./outcome.js";
import { type MemberRun, memberView, transferOf } from "./views.js";

export interface GroupPorts {
  /** A manager migration of the task to `to`, as an operator's move (rejects when refused). */
  move(task: string, to: string, opts: { strategy: MoveStrategy; faults?: MoveFaults }): Promise<MoveRecord>;
  record(id: string): MoveRecord | undefined;
  /** Resolves with the move's record once it is COMPLETED or FAILED. */
  settled(id: string): Promise<MoveRecord>;
  /** A real request to the task's service through the network. */
  probe(task: string): Promise<{ ok: boolean; detail: string }>;
  /** Where the task runs now (its placement). */
  runsOn(task: string): string | undefined;
  limits: { maxParallel: number; maxOutboundPerNode: number };
  now(): Date;
  /** A line of the group's log (the CLI of the scheduler prints them). */
  onLog?(line: string): void;
  /** The run started, a round started, or the outcome is known (the service announces each as an event). */
  onProgress?(record: GroupMigrationRecord): void;
}

export interface GroupRunInput {
  id: string;
  group: string;
  to: string;
  onFailure: GroupFailurePolicy;
  strategy: MoveStrategy;
  members: GroupMember[];
  faults?: Record<string, MoveFaults>;
}


export class GroupMigrationRun {
  private state: GroupMigrationState = "running";
  private readonly members: GroupMember[];
  private readonly progress = new Map<string, MemberProgress>();
  private readonly runs = new Map<string, MemberRun>();
  private readonly rounds: GroupRound[] = [];
  private readonly measures: RoundMeasure[] = [];
  private readonly log: string[] = [];
  private readonly requestedAt: Date;
  private finishedAt: Date | null = null;
  private error: string | undefined;
  /** Resolves with the final record. */
  readonly done: Promise<GroupMigrationRecord>;

  constructor(
    private readonly input: GroupRunInput,
    private readonly ports: GroupPorts,
  ) {
    this.members = inStartOrder(input.members);
    this.requestedAt = ports.now();
    for (const m of this.members) {
      this.progress.set(m.task, "waiting");
      this.runs.set(m.task, {});
    }
    this.note(`group ${input.group}: ${this.members.length} member(s) -> ${input.to} (onFailure ${input.onFailure})`);
    this.announce();
    this.done = this.run().then(() => this.view());
  }

  view(): GroupMigrationRecord {
    const end = this.finishedAt;
    return structuredClone({
      id: this.input.id,
      group: this.input.group,
      to: this.input.to,
      onFailure: this.input.onFailure,
      strategy: this.input.strategy,
      state: this.state,
      requestedAt: this.requestedAt.toISOString(),
      finishedAt: end ? end.toISOString() : null,
      totalMs: end ? end.getTime() - this.requestedAt.getTime() : null,
      ...(this.error === undefined ? {} : { error: this.error }),
      members: this.members.map((m) => this.memberView(m)),
      rounds: this.rounds,
      log: this.log,
    });
  }

  private memberView(m: GroupMember): GroupMemberView {
    const run = this.runs.get(m.task)!;
    return memberView(m, run, this.ports.runsOn(m.task), run.migration ? this.ports.record(run.migration) : undefined, run.back ? this.ports.record(run.back) : undefined);
  }

  private async run(): Promise<void> {
    try {
      let choice = nextParallelism([], this.bounds());
      for (;;) {
        const pick = pickRound(this.members, this.progress, choice.parallelism);
        if (pick.tasks.length === 0) break;
        const ok = await this.runRound(choice, pick.tasks, pick.note);
        if (!ok) break;
        choice = nextParallelism(this.measures, this.bounds());
      }
      if ([...this.progress.values()].every((p) => p === "moved")) {
        this.finish("completed");
        return;
      }
      await this.undo();
    } catch (err) {
      this.error = `group run stopped: ${(err as Error).message}`;
      this.note(this.error);
      this.finish("failed");
    }
  }

  /** One round: every picked member's move at once; true when all completed. */
  private async runRound(choice: ParallelismChoice, tasks: string[], note: string | undefined): Promise<boolean> {
    const round: GroupRound = {
      round: this.rounds.length + 1,
      parallelism: choice.parallelism,
      reason: note ? `${choice.reason}; ${note}` : choice.reason,
      tasks,
      startedAt: this.ports.now().toISOString(),
      endedAt: null,
      transfers: [],
    };
    this.rounds.push(round);
    this.note(`round ${round.round}: ${tasks.join(", ")} (parallelism ${choice.parallelism}: ${round.reason})`);
    this.announce();
    const started: string[] = [];
    for (const task of tasks) {
      if (!(await this.anotherReplicaServes(task))) break;
      try {
        const rec = await this.ports.move(task, this.input.to, { strategy: this.input.strategy, ...(this.input.faults?.[task] ? { faults: this.input.faults[task] } : {}) });
        this.runs.get(task)!.migration = rec.id;
        this.progress.set(task, "moving");
        started.push(task);
        this.note(`${task}: migration ${rec.id} queued`);
      } catch (err) {
        this.failMember(task, `its move was refused: ${(err as Error).message}`);
        break;
      }
    }
    const finals = await Promise.all(started.map((t) => this.ports.settled(this.runs.get(t)!.migration!)));
    for (const rec of finals) {
      const task = rec.task.id;
      if (rec.state === "COMPLETED") {
        this.progress.set(task, "moved");
        const measure = transferOf(rec);
        if (measure) round.transfers.push(measure);
        this.note(`${task}: migrated to ${rec.to} (${rec.id}, downtime ${rec.metrics?.frozenMs ?? "?"} ms)`);
      } else {
        this.failMember(task, `migration ${rec.id} ${rec.state}: ${rec.error ?? "no reason given"}`);
      }
    }
    round.endedAt = this.ports.now().toISOString();
    this.measures.push({ parallelism: started.length, transfers: round.transfers.map(({ bytes, ms }) => ({ bytes, ms })) });
    return started.length === tasks.length && finals.every((r) => r.state === "COMPLETED");
  }

  /** A replicated member moves one replica at a time, and only while another answers (probed, not assumed). */
  private async anotherReplicaServes(task: string): Promise<boolean> {
    const self = this.members.find((m) => m.task === task)!;
    const others = this.members.filter((m) => m.group.member === self.group.member && m.task !== task);
    if (others.length === 0) return true;
    for (const o of others) {
      const answer = await this.ports.probe(o.task);
      if (answer.ok) {
        this.note(`${task}: replica ${o.task} answers (${answer.detail}): moving this one`);
        return true;
      }
      this.note(`${task}: replica ${o.task} does not answer (${answer.detail})`);
    }
    this.failMember(task, `no other replica of ${self.group.member} answers: moving it would leave none serving`);
    return false;
  }

  private failMember(task: string, why: string): void {
    this.progress.set(task, "failed");
    this.runs.get(task)!.error = why;
    this.error ??= `member ${task} failed: ${why}`;
    this.note(`${task}: FAILED: ${why}`);
  }

  /** The group's failure: moved members go back one at a time (or stay, onFailure leave). */
  private async undo(): Promise<void> {
    const plan = rollbackPlan(this.members, this.progress, this.input.onFailure);
    if (this.input.onFailure === "leave") {
      this.note("onFailure leave: the moved members stay where they are");
      this.finish(groupOutcome(this.progress, "leave", false));
      return;
    }
    this.state = "rolling-back";
    let backFailed = false;
    for (const step of plan) {
      await this.anotherReplicaServes(step.task).catch(() => true);
      try {
        const rec = await this.ports.move(step.task, step.to, { strategy: this.input.strategy });
        this.runs.get(step.task)!.back = rec.id;
        this.note(`${step.task}: moving back to ${step.to} (${rec.id})`);
        const final = await this.ports.settled(rec.id);
        if (final.state === "COMPLETED") {
          this.progress.set(step.task, "waiting");
          this.note(`${step.task}: back on ${step.to}`);
          continue;
        }
        backFailed = true;
        this.note(`${step.task}: move back ${final.state}: ${final.error ?? "no reason given"} (it runs on ${this.ports.runsOn(step.task)})`);
      } catch (err) {
        backFailed = true;
        this.note(`${step.task}: move back refused: ${(err as Error).message}`);
      }
    }
    this.finish(groupOutcome(this.progress, "rollback", backFailed));
  }

  private bounds(): BalancerBounds {
    const sources = new Set(this.members.filter((m) => this.progress.get(m.task) === "waiting").map((m) => m.from));
    return { ...this.ports.limits, sourceNodes: sources.size };
  }

  private finish(state: GroupMigrationState): void {
    this.state = state;
    this.finishedAt = this.ports.now();
    const where = this.members.map((m) => `${m.task}@${this.ports.runsOn(m.task) ?? "?"}`).join(", ");
    this.note(`outcome ${state} after ${this.finishedAt.getTime() - this.requestedAt.getTime()} ms; members run: ${where}`);
    this.announce();
  }

  private announce(): void {
    if (this.ports.onProgress) this.ports.onProgress(this.view());
  }

  private note(line: string): void {
    this.log.push(`${this.ports.now().toISOString()} ${line}`);
    this.ports.onLog?.(`${this.input.id} [GroupMigration]: ${line}`);
  }
}
