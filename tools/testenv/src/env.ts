// Starting and stopping a whole environment.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.ts';
import { startProcess, stopProcess } from './proc.ts';
import { locateChromium } from './services/chromium.ts';
import { startKube } from './services/kube.ts';
import { startKwok } from './services/kwok.ts';
import {
  reclaimStaleNodeNetwork,
  removeNodeLeftovers,
  startNode,
  stopNodeWorkloads,
} from './services/node.ts';
import { postgresDirFor, startMongo } from './services/mongodb.ts';
import { startRedis } from './services/redis.ts';
import { startS3 } from './services/s3.ts';
import { startStorage } from './services/storage.ts';
import type { RunningService, ServiceContext, ServiceName } from './services/types.ts';
import { readState, writeState, type EnvState } from './state.ts';

const starters: Record<ServiceName, (ctx: ServiceContext) => Promise<RunningService>> = {
  kube: startKube,
  kwok: startKwok,
  node: startNode,
  mongodb: startMongo,
  redis: startRedis,
  s3: startS3,
  storage: startStorage,
  chromium: async () => locateChromium(),
};

export async function up(
  services: readonly ServiceName[],
  log: (m: string) => void,
): Promise<EnvState> {
  const dataDir = join(stateDir, 'data');
  const logDir = join(stateDir, 'logs');
  mkdirSync(stateDir, { recursive: true });
  // Other environments on this machine see from this file that we are starting (environmentAlive).
  const upPid = join(stateDir, 'up.pid');
  writeFileSync(upPid, String(process.pid));
  try {
    return await upWithPid(services, log, dataDir, logDir);
  } finally {
    rmSync(upPid, { force: true });
  }
}

async function upWithPid(
  services: readonly ServiceName[],
  log: (m: string) => void,
  dataDir: string,
  logDir: string,
): Promise<EnvState> {
  if (services.includes('node')) await reclaimStaleNodeNetwork(log);
  // Never recurse into a leftover mount (a pod volume, a container rootfs) of a crashed run.
  await removeNodeLeftovers(dataDir, log);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const state: EnvState = { startedAt: new Date().toISOString(), services: [] };
  const spawned: RunningService = { name: 'starting', processes: [], env: {} };
  const ctx: ServiceContext = {
    dataDir,
    logDir,
    selected: services,
    spawn: (name, bin, args, env) => {
      const p = startProcess(name, bin, args, logDir, env);
      spawned.processes.push(p);
      return p;
    },
  };
  const start = async (name: ServiceName) => {
    const t = Date.now();
    const s = await starters[name](ctx);
    state.services.push(s);
    log(`${name} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return s;
  };
  // kwok, node (and whatever else talks to the cluster) need the control plane: it starts first,
  // and the data stores, which do not need it, start alongside it.
  const needsKube = (name: ServiceName) => name === 'kwok' || name === 'node' || name === 'storage';
  const settle = async (names: readonly ServiceName[]) => {
    const results = await Promise.allSettled(names.map(start));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0)
      throw new Error(
        failed.map((f) => String((f.reason as Error).message ?? f.reason)).join('\n\n'),
      );
  };
  try {
    const later = services.filter(needsKube);
    if (later.length > 0 && !services.includes('kube'))
      throw new Error(`${later.join(', ')} need the kube service: add it to --only`);
    await settle(services.filter((n) => !needsKube(n)));
    await settle(later);
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
  if (!state) {
    // A crashed `up` may have left the real node's namespace, mounts or containers behind.
    await removeNodeLeftovers(join(stateDir, 'data'), log);
    return;
  }
  // Stop in reverse start order: kwok and controllers before the API server before etcd.
  for (const s of [...state.services].reverse()) {
    for (const p of [...s.processes].reverse()) {
      // The real node's containers run under containerd's shims, not under our processes: stop
      // them after the kubelet (which would restart them) and while containerd still answers.
      if (p.name === 'containerd') await stopNodeWorkloads(join(stateDir, 'data'), log);
      await stopProcess(p.pid);
    }
    if (s.processes.length > 0) log(`${s.name} stopped`);
  }
  await removeNodeLeftovers(join(stateDir, 'data'), log);
  // Logs stay for post-mortems; data and state go so the next `up` starts clean.
  for (const f of ['data', 'state.json', 'env'])
    rmSync(join(stateDir, f), { recursive: true, force: true });
  rmSync(postgresDirFor(join(stateDir, 'data')), { recursive: true, force: true });
}
