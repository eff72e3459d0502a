// MongoDB access for backup and restore (the official driver; works with MongoDB and FerretDB).
import { MongoClient, type Db } from 'mongodb';
import type { TConfig } from './config.ts';
import type { CollectionInfo, IndexSpec } from './archive.ts';

export class MongoUnavailableError extends Error {
  override name = 'MongoUnavailableError';
}

export interface Mongo {
  client: MongoClient;
  db: Db;
  serverVersion: string;
  ferretdbVersion: string | undefined;
}

/** Connects and proves the server answers (ping) before anything else happens. */
export async function connectMongo(cfg: TConfig, dbOverride?: string): Promise<Mongo> {
  const name = dbOverride ?? cfg.mongodbDb;
  if (!name) {
    throw new MongoUnavailableError(
      'no database name: put it in MONGODB_URI (mongodb://host/<db>) or set MONGODB_DB',
    );
  }
  const client = new MongoClient(cfg.mongodbUri, {
    serverSelectionTimeoutMS: cfg.timeoutMs,
    connectTimeoutMS: cfg.timeoutMs,
    appName: 'pms-backup',
  });
  try {
    await client.connect();
    const admin = client.db('admin');
    await admin.command({ ping: 1 });
    const info = await admin.command({ buildInfo: 1 });
    return {
      client,
      db: client.db(name),
      serverVersion: String(info.version ?? 'unknown'),
      ferretdbVersion:
        info.ferretdbVersion === undefined ? undefined : String(info.ferretdbVersion),
    };
  } catch (e) {
    await client.close().catch(() => undefined);
    throw new MongoUnavailableError(`MongoDB is not usable: ${(e as Error).message}`);
  }
}

/** The collections and views to back up, sorted by name; `system.*` are the server's own. */
export async function describeCollections(db: Db): Promise<CollectionInfo[]> {
  const listed = await db.listCollections({}, { nameOnly: false }).toArray();
  const out: CollectionInfo[] = [];
  for (const c of listed.sort((a, b) => a.name.localeCompare(b.name))) {
    if (c.name.startsWith('system.')) continue;
    const type = (c as { type?: string }).type ?? 'collection';
    const options = ((c as { options?: Record<string, unknown> }).options ?? {}) as Record<
      string,
      unknown
    >;
    if (type === 'view') {
      out.push({ name: c.name, type: 'view', options, indexes: [] });
      continue;
    }
    if (type !== 'collection') {
      throw new Error(`collection "${c.name}" has type "${type}", which pms-backup cannot back up`);
    }
    const indexes = (await db.collection(c.name).listIndexes().toArray())
      .filter((i) => i.name !== '_id_')
      .map((i) => {
        const { v: _v, ns: _ns, ...rest } = i as Record<string, unknown>;
        return rest as unknown as IndexSpec;
      });
    out.push({ name: c.name, type: 'collection', options, indexes });
  }
  return out;
}
