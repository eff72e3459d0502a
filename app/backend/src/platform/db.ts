// mongoose connection. Operator injection is stopped before this layer: the request guard
// rejects `$`/dotted keys and zod admits only scalars where filters take user input.
import mongoose from 'mongoose';
import type { TConfig } from './config.ts';

mongoose.set('strictQuery', true);
mongoose.set('autoIndex', false);

export async function connectMongo(config: TConfig): Promise<typeof mongoose> {
  return mongoose.connect(config.MONGODB_URI, {
    dbName: config.MONGODB_DB,
    serverSelectionTimeoutMS: 5000,
    maxPoolSize: 20,
    // Command events feed the database metrics (platform/metrics.ts) and the round-trip tests.
    monitorCommands: true,
  });
}

/** Creates every declared index (idempotent); runs at start-up of the API. */
export async function syncIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) await model.createIndexes();
}

export async function pingMongo(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) throw new Error('not connected');
  await db.admin().ping();
}
