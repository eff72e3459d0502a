// docker-compose config for the compose file sets of app/, isolated from a local app/.env.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../src/paths.ts';
import { run } from './run.ts';

export const appDir = join(repoRoot, 'app');
export const scratch = mkdtempSync(join(tmpdir(), 'pms-compose-'));

/** Variables an operator of a staging/production stack must provide (see .env.example). */
export const releaseEnv: Record<string, string> = {
  PMS_VERSION: '1.2.3',
  JWT_SECRET: 'x'.repeat(48),
  MONGO_ROOT_USER: 'pms',
  MONGO_ROOT_PASSWORD: 'mongo-secret',
  REDIS_PASSWORD: 'redis-secret',
  MINIO_ROOT_USER: 'minio',
  MINIO_ROOT_PASSWORD: 'minio-secret',
  S3_ACCESS_KEY: 'minio',
  S3_SECRET_KEY: 'minio-secret',
  S3_BUCKET: 'pms-attachments',
  FRONTEND_URL: 'https://pms.example.com',
  BACKEND_URL: 'https://pms.example.com/api',
  CORS_ORIGINS: 'https://pms.example.com',
  SMTP_HOST: 'smtp.example.com',
  SMTP_USER: 'pms',
  SMTP_PASS: 'smtp-secret',
  EMAIL_FROM: 'PMS <no-reply@example.com>',
};

export interface Service {
  image?: string;
  build?: { target?: string };
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { resources?: { limits?: { memory?: string; cpus?: string } } };
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  read_only?: boolean;
}
export interface ComposeConfig {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** `docker-compose config` for a file set, isolated from any local app/.env. */
export function composeConfig(files: string[], env: Record<string, string> = {}) {
  const envFile = join(scratch, `env-${files.join('+')}-${Object.keys(env).length}`);
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  const args = ['--env-file', envFile, ...files.flatMap((f) => ['-f', f]), 'config'];
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !(k in releaseEnv) && k !== 'NODE_ENV'),
  );
  return run('docker-compose', args, { cwd: appDir, env: clean });
}

export function parsed(files: string[], env: Record<string, string> = {}): ComposeConfig {
  const r = composeConfig(files, env);
  assert.equal(r.status, 0, `docker-compose ${files.join(' ')} config failed:\n${r.stderr}`);
  return parse(r.stdout) as ComposeConfig;
}

export const base = ['docker-compose.yml'];
export const dev = ['docker-compose.yml', 'docker-compose.override.yml'];
export const staging = ['docker-compose.yml', 'docker-compose.staging.yml'];
export const production = ['docker-compose.yml', 'docker-compose.production.yml'];
