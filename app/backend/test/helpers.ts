// Integration-test harness: the real app, in-process on port 0, against the real FerretDB,
// Redis and MinIO from @pms/testenv. Each harness uses its own database, bucket, Redis DB key
// prefixes and queue prefix, and removes them on close.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import mongoose from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { testEnv } from '@pms/testenv';
import { buildApp } from '../src/app.ts';
import type { Deps } from '../src/deps.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { startRuntime } from '../src/runtime.ts';

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

export interface Harness {
  url: string;
  deps: Deps;
  env: Record<string, string>;
  close(): Promise<void>;
}

export function testConfigEnv(
  name: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const env = testEnv('mongodb', 'redis', 's3');
  const id = `${name}-${randomBytes(3).toString('hex')}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGODB_URI: env.mongodbUri,
    MONGODB_DB: `t_${id.replace(/-/g, '_')}`,
    REDIS_URL: env.redisUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    BCRYPT_ROUNDS: '4',
    S3_ENDPOINT: env.s3.endpoint,
    S3_REGION: env.s3.region,
    S3_ACCESS_KEY: env.s3.accessKey,
    S3_SECRET_KEY: env.s3.secretKey,
    S3_BUCKET: `t-${id}`,
    S3_USE_PATH_STYLE: 'true',
    RATE_LIMIT_MAX: '100000',
    LOGIN_RATE_LIMIT_MAX: '1000',
    RATE_LIMIT_WRITE_MAX: '100000',
    RATE_LIMIT_AUTH_MAX: '100000',
    QUEUE_PREFIX: `t-${id}`,
    REDIS_KEY_PREFIX: `t-${id}:`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ADMIN_NAME: 'Ada Admin',
    ...overrides,
  };
}

export async function startHarness(
  name: string,
  overrides: Record<string, string> = {},
): Promise<Harness> {
  const env = testConfigEnv(name, overrides);
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const deps = await startRuntime(config, logger);
  const { app } = buildApp(deps);
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deps,
    env,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await mongoose.connection.db?.dropDatabase().catch(() => undefined);
      const s3 = deps.storage.client;
      const bucket = config.S3_BUCKET;
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => null);
      const keys = (listed?.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length)
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
      if (deps.redis.status === 'ready') {
        const ks = [
          ...(await deps.redis.keys(`${config.QUEUE_PREFIX}:*`)),
          ...(await deps.redis.keys(`${config.REDIS_KEY_PREFIX}*`)),
        ];
        if (ks.length) await deps.redis.del(...ks);
      }
      await deps.close();
    },
  };
}

export interface Res<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny client: JSON in/out, bearer token, and a cookie jar for the refresh cookie. */
export class Client {
  readonly base: string;
  token: string | null = null;
  cookies = new Map<string, string>();
  constructor(base: string) {
    this.base = base;
  }
  // The body shape is asserted by each test; `any` keeps tests readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async req<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let payload: NonNullable<RequestInit['body']> | undefined;
    if (body instanceof Uint8Array || typeof body === 'string')
      payload = body as NonNullable<RequestInit['body']>;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: h,
      body: payload ?? null,
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const [k = '', v = ''] = pair.split('=');
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || v === '';
      if (expired) this.cookies.delete(k.trim());
      else this.cookies.set(k.trim(), v);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  get = (p: string) => this.req('GET', p);
  post = (p: string, b?: unknown) => this.req('POST', p, b ?? {});
  patch = (p: string, b: unknown) => this.req('PATCH', p, b);
  del = (p: string) => this.req('DELETE', p);

  async login(email: string, password: string): Promise<this> {
    const r = await this.post('/api/v1/auth/login', { email, password });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.accessToken;
    return this;
  }
}

/** Creates a user as admin and returns a logged-in client for it. */
export async function userClient(
  h: Harness,
  admin: Client,
  name: string,
): Promise<{ client: Client; id: string; email: string }> {
  const email = `${name.toLowerCase()}@example.com`;
  const r = await admin.post('/api/v1/users', { name, email, password: 'password-123' });
  if (r.status !== 201) throw new Error(`create user: ${r.status} ${JSON.stringify(r.body)}`);
  const client = await new Client(h.url).login(email, 'password-123');
  return { client, id: r.body.id, email };
}

/** The commands `fn` sends to the harness's database (the driver's command events). */
export async function dbCommands(fn: () => Promise<unknown>): Promise<CommandStartedEvent[]> {
  const seen: CommandStartedEvent[] = [];
  const client = mongoose.connection.getClient();
  const on = (e: CommandStartedEvent) => {
    if (e.databaseName === mongoose.connection.db?.databaseName) seen.push(e);
  };
  client.on('commandStarted', on);
  try {
    await fn();
  } finally {
    client.off('commandStarted', on);
  }
  return seen;
}

/** `find projects, find memberships, …`: for assertion messages. */
export const describeCommands = (cs: CommandStartedEvent[]) =>
  cs.map((c) => `${c.commandName} ${String(c.command[c.commandName])}`).join(', ');
