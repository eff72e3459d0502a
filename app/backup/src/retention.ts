// `list` and `prune`: a backup is a manifest; prune keeps exactly the newest `keepLast`.
import type { Log } from './log.ts';
import {
  groupByTimestamp,
  instanceOfBase,
  keys,
  parseManifest,
  type TManifest,
} from './manifest.ts';
import { checkStore, deleteKeys, getText, listAll, type Store } from './s3.ts';

export interface BackupEntry {
  timestamp: string;
  manifestKey: string;
  archiveKey: string;
  /** Every object of this backup (archive, manifest, attachments). */
  objects: string[];
}

/** Complete backups (those with a manifest) under `base` (prefix + instance), oldest first. */
export async function listBackups(store: Store, base: string): Promise<BackupEntry[]> {
  const all = await listAll(store, `${base}/`);
  const groups = groupByTimestamp(
    base,
    all.map((o) => o.key),
  );
  return [...groups.entries()]
    .filter(([ts, objs]) => objs.includes(keys.manifest(base, ts)))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ts, objs]) => ({
      timestamp: ts,
      manifestKey: keys.manifest(base, ts),
      archiveKey: keys.archive(base, ts),
      objects: objs,
    }));
}

export async function readManifest(
  store: Store,
  base: string,
  timestamp: string,
): Promise<TManifest> {
  const key = keys.manifest(base, timestamp);
  const instance = instanceOfBase(base);
  let text: string;
  try {
    text = await getText(store, key);
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) throw new Error(`no backup ${base}/${timestamp} (${key} not found)`);
    throw e;
  }
  const m = parseManifest(text, key);
  if (m.instance !== instance || m.timestamp !== timestamp) {
    throw new Error(`${key}: manifest names ${m.instance}/${m.timestamp}`);
  }
  return m;
}

export interface PruneResult {
  kept: string[];
  deleted: string[];
  deletedObjects: number;
}

/**
 * Deletes every complete backup but the newest `keepLast`, plus leftovers of failed backups
 * (objects without a manifest) older than the oldest kept backup. Newer leftovers may belong
 * to a backup still running and are left alone. Each backup's manifest goes first, so an
 * interrupted prune never leaves a manifest that points at deleted data.
 */
export async function prune(
  store: Store,
  base: string,
  keepLast: number,
  log: Log,
): Promise<PruneResult> {
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new Error('keepLast must be >= 1');
  await checkStore(store, 'backup destination');
  const all = await listAll(store, `${base}/`);
  const groups = groupByTimestamp(
    base,
    all.map((o) => o.key),
  );
  const complete = [...groups.entries()]
    .filter(([ts, objs]) => objs.includes(keys.manifest(base, ts)))
    .map(([ts]) => ts)
    .sort();
  const kept = complete.slice(-keepLast);
  const oldestKept = kept[0];
  const doomed = [...groups.keys()]
    .filter((ts) => !kept.includes(ts))
    .filter((ts) => complete.includes(ts) || (oldestKept !== undefined && ts < oldestKept))
    .sort();
  let deletedObjects = 0;
  for (const ts of doomed) {
    const objs = groups.get(ts) ?? [];
    const manifest = keys.manifest(base, ts);
    if (objs.includes(manifest)) await deleteKeys(store, [manifest]);
    const rest = objs.filter((k) => k !== manifest);
    await deleteKeys(store, rest);
    deletedObjects += objs.length;
    log.info('pruned backup', { base, timestamp: ts, objects: objs.length });
  }
  return { kept, deleted: doomed, deletedObjects };
}
