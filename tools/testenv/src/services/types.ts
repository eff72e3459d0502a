import type { Started } from '../proc.ts';

export interface ServiceContext {
  /** Root of this environment's data: one sub-folder per service. */
  dataDir: string;
  logDir: string;
  /** Every service of this `up`, so one can adapt to the others (the real node is tainted only
   * when kwok's simulated nodes share the cluster; the API server listens on the node network
   * when `node` is selected). */
  selected: readonly ServiceName[];
  /** Starts a process and records it, so `down` stops it even if start-up later fails. */
  spawn: (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv) => Started;
}

export interface RunningService {
  name: string;
  processes: Started[];
  /** Connection details exported to tests and developers (TESTENV_* variables). */
  env: Record<string, string>;
}

/** In start order: `kube` first (the others that need it wait for it), then the rest together. */
export const serviceNames = [
  'kube',
  'kwok',
  'node',
  'storage',
  'mongodb',
  'redis',
  's3',
  'chromium',
] as const;
export type ServiceName = (typeof serviceNames)[number];
