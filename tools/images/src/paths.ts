import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir as testenvCache } from '@pms/testenv/paths';

/** Repository root (three levels above this file: tools/images/src). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The testenv cache (~/.cache/pms-testenv, or PMS_TESTENV_CACHE): binaries, archives. */
export const cacheDir = testenvCache;
export const binDir = join(cacheDir, 'bin');
