// Named steps for the controllers that walk a resource through a fixed sequence (a backup, a
// restore):
// the order is data (a list), each step owns one condition, may be skipped by its
// precondition (reporting what the skip means), and ends the reconcile or hands over to the
// next step. The runner is level-based like the rest: every reconcile walks the list from the
// top, and the steps that are already done pass quickly.
import type { ConditionStatus } from '../api/status.ts';

/** A condition as a step reports it: [status, reason, message]. */
export type StepCondition = [ConditionStatus, string, string];

/** What a step decided. */
export type StepOutcome<Phase extends string> =
  /** Done: report the condition and run the next step. */
  | { kind: 'next' }
  /** Not done yet: write `phase` (with `error` if set) and look again after `requeueAfterMs`. */
  | { kind: 'wait'; phase: Phase; requeueAfterMs: number; error?: string }
  /**
   * Blocked by something outside the resource: the run stays pending with this reason. `error`:
   * what status.error shows meanwhile, where the controller shows one (the backup's).
   */
  | { kind: 'pending'; reason: string; message: string; requeueAfterMs: number; error?: string }
  /** The resource failed for good. */
  | { kind: 'fail'; reason: string; message: string }
  /** The resource reached its end (the step wrote the final status itself). */
  | { kind: 'finished' };

export interface Step<Run, Name extends string, Phase extends string> {
  /** The step's name: the condition type it reports (the restore), or its summary's (the backup). */
  name: Name;
  /** When false the step is skipped and reports `skipped(run)` as its condition. */
  precondition?: (run: Run) => boolean;
  skipped?: (run: Run) => StepCondition;
  run: (run: Run) => Promise<StepOutcome<Phase>>;
}

export interface StepReporter<Name extends string> {
  /** Where a skipped step's condition goes (needed only when a step has `skipped`). */
  report?(name: Name, condition: StepCondition): void;
}

/** Runs the steps in order until one does not hand over; returns that outcome. */
export async function runSteps<
  Run extends StepReporter<Name>,
  Name extends string,
  P extends string,
>(steps: readonly Step<Run, Name, P>[], run: Run): Promise<StepOutcome<P>> {
  for (const step of steps) {
    if (step.precondition && !step.precondition(run)) {
      if (step.skipped) run.report?.(step.name, step.skipped(run));
      continue;
    }
    const outcome = await step.run(run);
    if (outcome.kind !== 'next') return outcome;
  }
  return { kind: 'finished' };
}

export const next = { kind: 'next' } as const;
