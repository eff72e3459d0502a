import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (three levels above this file: tools/packaging/src). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
