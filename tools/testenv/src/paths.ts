import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (three levels above this file: tools/testenv/src). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Go wrapper modules that pin each Go-built service. */
export const goModulesDir = join(repoRoot, 'tools', 'testenv', 'go');

/** Where built binaries are cached across clones and runs (so a warm start takes seconds). */
export const cacheDir = process.env.PMS_TESTENV_CACHE ?? join(homedir(), '.cache', 'pms-testenv');
export const binDir = join(cacheDir, 'bin');

/** Per-checkout runtime state: data dirs, logs, pids, the env file. */
export const stateDir = process.env.PMS_TESTENV_DIR ?? join(repoRoot, '.testenv');
export const stateFile = join(stateDir, 'state.json');
export const envFile = join(stateDir, 'env');
