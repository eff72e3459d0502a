// `npm run seed [-- --reset] [-- --tasks=N]`: loads the demo workspace into MONGODB_URI/MONGODB_DB.
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { redactUri } from '../platform/connection-uri.ts';
import { connectMongo, syncIndexes } from '../platform/db.ts';
import '../runtime.ts';
import { seed } from './seed.ts';

const args = process.argv.slice(2);
const tasks = Number(args.find((a) => a.startsWith('--tasks='))?.split('=')[1] ?? 400);
try {
  // Only MongoDB is used: the other required variables get harmless placeholders.
  const config = loadConfig({
    JWT_SECRET: 'x'.repeat(32),
    S3_ACCESS_KEY: '-',
    S3_SECRET_KEY: '-',
    REDIS_URL: 'redis://localhost:6379',
    ...process.env,
  });
  await connectMongo(config);
  await syncIndexes();
  const password = process.env.SEED_PASSWORD ?? 'demo-password';
  const r = await seed({
    password,
    tasksPerProject: tasks,
    reset: args.includes('--reset'),
    log: (m) => console.log(m),
  });
  console.log(
    `seeded ${r.projects.reduce((s, p) => s + p.tasks, 0)} tasks; log in as ada@demo.pms.local / ${password}`,
  );
  await mongoose.disconnect();
} catch (err) {
  // A one-line message with URI credentials redacted, not the driver error's every property.
  console.error(
    err instanceof ConfigError
      ? err.message
      : redactUri(err instanceof Error ? err.message : String(err)),
  );
  process.exit(1);
}
