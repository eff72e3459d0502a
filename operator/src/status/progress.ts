// Which status changes can wait. While an instance comes up, its components become ready one
// after another and each would be a status write; a change that only moves that progress
// (component conditions and counts, the Ready condition's list of what is still missing) is
// written at most once per interval (controller/reconcile.ts). Everything a user or a tool
// acts on (Ready's status, the phase, the observed generation, an upgrade or restore step)
// is written at once.
import { isDeepStrictEqual } from 'node:util';
import { CONDITION, type Condition, type PmsInstanceStatus } from '../api/status.ts';

/** Conditions that report one component's readiness. */
const COMPONENT_CONDITIONS: ReadonlySet<string> = new Set([
  CONDITION.Backend,
  CONDITION.Frontend,
  CONDITION.Worker,
  CONDITION.MongoDB,
  CONDITION.Redis,
  CONDITION.ObjectStorage,
]);

const SAME_FIELDS = [
  'observedGeneration',
  'phase',
  'url',
  'version',
  'lastBackup',
  'restoredFrom',
] as const;

/** True when `next` differs from `prev` only in component progress (see above). */
export function onlyProgress(
  prev: PmsInstanceStatus | undefined,
  next: PmsInstanceStatus,
): boolean {
  if (!prev) return false;
  for (const f of SAME_FIELDS) if (!isDeepStrictEqual(prev[f], next[f])) return false;
  const before = new Map((prev.conditions ?? []).map((c) => [c.type, c]));
  const after = next.conditions ?? [];
  if (before.size !== after.length) return false;
  for (const c of after) {
    const old = before.get(c.type);
    if (!old) return false;
    if (COMPONENT_CONDITIONS.has(c.type)) continue;
    if (c.type === CONDITION.Ready ? !sameReadiness(old, c) : !isDeepStrictEqual(old, c))
      return false;
  }
  return true;
}

const sameReadiness = (a: Condition, b: Condition) =>
  a.status === b.status &&
  a.reason === b.reason &&
  a.observedGeneration === b.observedGeneration &&
  a.lastTransitionTime === b.lastTransitionTime;
