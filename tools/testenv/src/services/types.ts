import type { Started } from '../proc.ts';

export interface ServiceContext {
  /** Root of this environment's data: one sub-folder per service. */
  dataDir: string;
  logDir: string;
  /** Starts a process and records it, so `down` stops it even if start-up later fails. */
  spawn: (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv) => Started;
}

export interface RunningService {
  name: string;
  processes: Started[];
  /** Connection details exported to tests and developers (TESTENV_* variables). */
  env: Record<string, string>;
}

export const serviceNames = ['kube', 'mongodb', 'redis', 's3', 'chromium'] as const;
export type ServiceName = (typeof serviceNames)[number];
