// The status fields this process last wrote, by object, with the resourceVersion of the object
// they were computed from. Reconciles read the informer's copy, which can still be that object
// for a moment after the write (the watch event is on its way); laying the write over it keeps
// the next reconcile from writing the same status again or repeating a transition's events.
import type { KubernetesObject } from '@kubernetes/client-node';

interface WithStatus<S> extends KubernetesObject {
  status?: S;
}

export class WrittenStatuses<S extends object> {
  private readonly byKey = new Map<string, { readFrom: string; status: S }>();
  private readonly fields: readonly string[];

  /** `fields`: the top-level status fields the writer owns (the only ones laid over). */
  constructor(fields: readonly string[]) {
    this.fields = fields;
  }

  private static key(o: KubernetesObject): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}/${o.metadata?.uid ?? ''}`;
  }

  /** Records a write of `status` computed from `read` (the object as it was read). */
  remember(read: WithStatus<S>, status: S): void {
    const readFrom = read.metadata?.resourceVersion;
    if (readFrom) this.byKey.set(WrittenStatuses.key(read), { readFrom, status });
  }

  /**
   * `read` with the last write laid over its owned status fields while `read` is still the
   * object that write was computed from; otherwise `read` as it is, and the record is dropped
   * (the cache has caught up, or another writer changed the object since).
   */
  overlay<T extends WithStatus<S>>(read: T): T {
    const k = WrittenStatuses.key(read);
    const w = this.byKey.get(k);
    if (!w) return read;
    if (w.readFrom !== read.metadata?.resourceVersion) {
      this.byKey.delete(k);
      return read;
    }
    const status: Record<string, unknown> = { ...(read.status ?? {}) };
    const written = w.status as Record<string, unknown>;
    for (const f of this.fields) {
      if (written[f] === undefined) delete status[f];
      else status[f] = structuredClone(written[f]);
    }
    return { ...read, status: status as S };
  }

  /** Drops the records of an object that is gone. */
  forget(namespace: string, name: string): void {
    for (const k of this.byKey.keys())
      if (k.startsWith(`${namespace}/${name}/`)) this.byKey.delete(k);
  }

  get size(): number {
    return this.byKey.size;
  }
}
