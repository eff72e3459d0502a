import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAlive } from './proc.ts';
import { envFile, stateFile } from './paths.ts';
import type { RunningService } from './services/types.ts';

export interface EnvState {
  startedAt: string;
  services: RunningService[];
}

export function readState(): EnvState | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8')) as EnvState;
}

export function writeState(state: EnvState): void {
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  writeFileSync(
    envFile,
    Object.entries(mergedEnv(state))
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
}

export function mergedEnv(state: EnvState): Record<string, string> {
  return Object.assign({}, ...state.services.map((s) => s.env)) as Record<string, string>;
}

/** Every recorded process is still running. */
export function isHealthy(state: EnvState): boolean {
  return state.services.every((s) => s.processes.every((p) => isAlive(p.pid)));
}

/** Shell-quoted `export` lines, for `eval "$(npm run -s env -- print-env)"`. */
export function exportLines(env: Record<string, string>): string {
  const q = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${q(v)}`)
    .join('\n');
}
