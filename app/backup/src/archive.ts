// The pms-backup archive format (version 1). See README.md, "Archive format".
//
// An archive is a gzip stream whose uncompressed bytes are:
//   magic   8 bytes  "PMSBKUP1"
//   frames  one after the other until the trailer:
//     tag   1 byte   'H' header | 'C' collection | 'D' document | 'E' collection end | 'Z' trailer
//     body  one BSON document (it carries its own int32 little-endian length)
// Documents are the exact BSON bytes the server returned (the driver's `raw` mode), so every
// BSON type (ObjectId, Date, Decimal128, Int32/Int64/Double, binary, regex...) round-trips
// byte for byte. The order is: H, then for each collection C D* E, then Z. A missing trailer
// (a truncated archive) or counts that do not add up are errors when reading.
import { BSON } from 'mongodb';

export const MAGIC = Buffer.from('PMSBKUP1', 'ascii');
export const FORMAT_VERSION = 1;

export const TAG = {
  header: 0x48, // 'H'
  collection: 0x43, // 'C'
  document: 0x44, // 'D'
  collectionEnd: 0x45, // 'E'
  trailer: 0x5a, // 'Z'
} as const;

/** Largest BSON body accepted (MongoDB's document limit is 16 MiB; leave room for metadata). */
const MAX_FRAME = 48 * 1024 * 1024;

export interface ArchiveHeader {
  formatVersion: number;
  database: string;
  createdAt: Date;
  appVersion: string;
  serverVersion: string;
}

export interface IndexSpec {
  name: string;
  key: Record<string, unknown>;
  [option: string]: unknown;
}

export interface CollectionInfo {
  name: string;
  type: 'collection' | 'view';
  /** listCollections `options` (validator, capped, viewOn/pipeline for views, ...). */
  options: Record<string, unknown>;
  /** Index definitions except `_id_`, without `v` and `ns`. */
  indexes: IndexSpec[];
}

export interface ArchiveTrailer {
  collections: number;
  documents: number;
}

export type ArchiveEvent =
  | { kind: 'header'; header: ArchiveHeader }
  | { kind: 'collection'; info: CollectionInfo }
  | { kind: 'document'; collection: string; raw: Buffer }
  | { kind: 'collectionEnd'; name: string; count: number }
  | { kind: 'trailer'; trailer: ArchiveTrailer };

const serialize = (doc: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(doc));

function frame(tag: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), body]);
}

/**
 * Builds the frames of an archive in order and checks that the caller follows the grammar.
 * Each method returns the bytes to write (before compression).
 */
export class ArchiveEncoder {
  private state: 'start' | 'top' | 'inCollection' | 'done' = 'start';
  private current: { name: string; count: number } | undefined;
  private collections = 0;
  private documents = 0;

  header(h: Omit<ArchiveHeader, 'formatVersion'>): Buffer {
    this.expect('start');
    this.state = 'top';
    const body = serialize({ formatVersion: FORMAT_VERSION, ...h });
    return Buffer.concat([MAGIC, frame(TAG.header, body)]);
  }

  collection(info: CollectionInfo): Buffer {
    this.expect('top');
    this.state = 'inCollection';
    this.current = { name: info.name, count: 0 };
    this.collections += 1;
    return frame(TAG.collection, serialize({ ...info }));
  }

  /** `raw` is one BSON document exactly as read from the server. */
  document(raw: Uint8Array): Buffer {
    this.expect('inCollection');
    if (raw.length < 5 || Buffer.from(raw).readInt32LE(0) !== raw.length) {
      throw new Error('archive: document is not a single BSON document');
    }
    if (this.current) this.current.count += 1;
    this.documents += 1;
    return frame(TAG.document, raw);
  }

  collectionEnd(): Buffer {
    this.expect('inCollection');
    this.state = 'top';
    const c = this.current ?? { name: '', count: 0 };
    this.current = undefined;
    return frame(TAG.collectionEnd, serialize({ name: c.name, count: c.count }));
  }

  trailer(): Buffer {
    this.expect('top');
    this.state = 'done';
    return frame(
      TAG.trailer,
      serialize({ collections: this.collections, documents: this.documents }),
    );
  }

  private expect(state: ArchiveEncoder['state']): void {
    if (this.state !== state) {
      throw new Error(`archive: cannot write here (state ${this.state}, expected ${state})`);
    }
  }
}

/** A growable byte queue for parsing frames out of arbitrary chunk boundaries. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }
  peek(n: number): Buffer {
    this.coalesce(n);
    return (this.chunks[0] ?? Buffer.alloc(0)).subarray(0, n);
  }
  take(n: number): Buffer {
    this.coalesce(n);
    const head = this.chunks[0] ?? Buffer.alloc(0);
    const out = head.subarray(0, n);
    if (head.length === n) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    this.length -= n;
    return Buffer.from(out);
  }
  private coalesce(n: number): void {
    const head = this.chunks[0];
    if (head && head.length >= n) return;
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > 0 ? [all] : [];
  }
}

const deserializeMeta = (b: Buffer): Record<string, unknown> => BSON.deserialize(b);

/**
 * Parses the uncompressed bytes of an archive. Throws on anything that is not a complete,
 * well-formed archive: wrong magic, unknown tags, frames out of order, counts that do not
 * match, trailing bytes, or a missing trailer.
 */
export async function* decodeArchive(
  chunks: AsyncIterable<Buffer | Uint8Array | string>,
): AsyncGenerator<ArchiveEvent> {
  const q = new ByteQueue();
  type State = 'magic' | 'header' | 'top' | 'inCollection' | 'done';
  let state = 'magic' as State;
  let current: { name: string; count: number } | undefined;
  let collections = 0;
  let documents = 0;

  const fail = (msg: string): never => {
    throw new Error(`archive: ${msg}`);
  };

  for await (const chunk of chunks) {
    q.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    for (;;) {
      if (state === 'magic') {
        if (q.length < MAGIC.length) break;
        if (!q.take(MAGIC.length).equals(MAGIC)) fail('not a pms-backup archive (bad magic)');
        state = 'header';
        continue;
      }
      if (state === 'done') {
        if (q.length > 0) fail('unexpected bytes after the trailer');
        break;
      }
      if (q.length < 5) break;
      const head = q.peek(5);
      const tag = head[0];
      const len = head.readInt32LE(1);
      if (len < 5 || len > MAX_FRAME) fail(`invalid frame length ${len}`);
      if (q.length < 1 + len) break;
      q.take(1);
      const body = q.take(len);

      if (state === 'header') {
        if (tag !== TAG.header) fail('the first frame must be the header');
        const h = deserializeMeta(body);
        if (h.formatVersion !== FORMAT_VERSION) {
          fail(`unsupported archive format version ${String(h.formatVersion)}`);
        }
        state = 'top';
        yield { kind: 'header', header: h as unknown as ArchiveHeader };
      } else if (state === 'top') {
        if (tag === TAG.collection) {
          const info = deserializeMeta(body) as unknown as CollectionInfo;
          if (typeof info.name !== 'string' || info.name === '') fail('collection without name');
          current = { name: info.name, count: 0 };
          collections += 1;
          state = 'inCollection';
          yield { kind: 'collection', info };
        } else if (tag === TAG.trailer) {
          const t = deserializeMeta(body) as unknown as ArchiveTrailer;
          if (t.collections !== collections || t.documents !== documents) {
            fail(
              `trailer counts (${t.collections} collections, ${t.documents} documents) do not ` +
                `match the archive (${collections}, ${documents})`,
            );
          }
          state = 'done';
          yield { kind: 'trailer', trailer: t };
        } else {
          fail(`unexpected frame tag 0x${(tag ?? 0).toString(16)} between collections`);
        }
      } else if (state === 'inCollection' && current) {
        if (tag === TAG.document) {
          current.count += 1;
          documents += 1;
          yield { kind: 'document', collection: current.name, raw: body };
        } else if (tag === TAG.collectionEnd) {
          const e = deserializeMeta(body);
          if (e.name !== current.name || e.count !== current.count) {
            fail(
              `collection "${current.name}" ends with count ${String(e.count)} but has ${current.count} documents`,
            );
          }
          state = 'top';
          yield { kind: 'collectionEnd', name: current.name, count: current.count };
          current = undefined;
        } else {
          fail(`unexpected frame tag 0x${(tag ?? 0).toString(16)} inside a collection`);
        }
      }
    }
  }
  if (state !== 'done') fail('truncated archive (no trailer)');
}
