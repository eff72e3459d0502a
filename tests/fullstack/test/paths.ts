import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository checkout the tests run from (config/default, crds/, samples/). */
export const repoRoot = resolve(here, '..', '..', '..');
/** Screenshots and other artefacts a failure leaves for inspection. */
export const outputDir = join(here, '..', 'output');
