// Starting and stopping a whole environment.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.ts';
import { startProcess, stopProcess } from './proc.ts';
import { locateChromium } from './services/chromium.ts';
import { startKube } from './services/kube.ts';
import { startMongo } from './services/mongodb.ts';
import { startRedis } from './services/redis.ts';
import { startS3 } from './services/s3.ts';
import type { RunningService, ServiceContext, ServiceName } from './services/types.ts';
import { readState, writeState, type EnvState } from './state.ts';

const starters: Record<ServiceName, (ctx: ServiceContext) => Promise<RunningService>> = {
  kube: startKube,
  mongodb: startMongo,
  redis: startRedis,
  s3: startS3,
  chromium: async () => locateChromium(),
};

export async function up(
  services: readonly ServiceName[],
  log: (m: string) => void,
): Promise<EnvState> {
  const dataDir = join(stateDir, 'data');
  const logDir = join(stateDir, 'logs');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const state: EnvState = { startedAt: new Date().toISOString(), services: [] };
  const spawned: RunningService = { name: 'starting', processes: [], env: {} };
  const ctx: ServiceContext = {
    dataDir,
    logDir,
    spawn: (name, bin, args, env) => {
      const p = startProcess(name, bin, args, logDir, env);
      spawned.processes.push(p);
      return p;
    },
  };
  try {
    // Independent services start concurrently; the control plane is the slowest.
    const results = await Promise.allSettled(
      services.map(async (name) => {
        const t = Date.now();
        const s = await starters[name](ctx);
        state.services.push(s);
        log(`${name} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        return s;
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0)
      throw new Error(
        failed.map((f) => String((f.reason as Error).message ?? f.reason)).join('\n\n'),
      );
    writeState(state);
    return state;
  } catch (err) {
    // Record every process that was started, including those of services that failed.
    writeState({ ...state, services: [spawned] });
    await down(log);
    throw err;
  }
}

export async function down(log: (m: string) => void): Promise<void> {
  const state = readState();
  if (!state) return;
  // Stop in reverse start order: kwok and controllers before the API server before etcd.
  for (const s of [...state.services].reverse()) {
    for (const p of [...s.processes].reverse()) {
      await stopProcess(p.pid);
    }
    if (s.processes.length > 0) log(`${s.name} stopped`);
  }
  // Logs stay for post-mortems; data and state go so the next `up` starts clean.
  for (const f of ['data', 'state.json', 'env'])
    rmSync(join(stateDir, f), { recursive: true, force: true });
}
