// Names and owner references derived from PmsBackup and PmsRestore resources (their types are
// in api/backup.ts). Pure: no I/O.
import { createHash } from 'node:crypto';
import type { PmsBackup, PmsRestore } from '../api/backup.ts';

/** A controller owner reference to a PmsBackup or PmsRestore. */
export function ownerRefTo(o: PmsBackup | PmsRestore) {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    uid: o.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * `<owner>-<suffix>`, shortened with a hash of the full name when longer than 63 characters
 * (the Job controller copies the Job name into a label value).
 */
export function jobNameFor(owner: string, suffix: string): string {
  const full = `${owner}-${suffix}`;
  if (full.length <= 63) return full;
  const h = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${owner.slice(0, 63 - suffix.length - 10).replace(/-+$/, '')}-${h}-${suffix}`;
}
