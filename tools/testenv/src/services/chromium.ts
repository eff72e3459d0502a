import { findProgram } from '../install.ts';
import type { RunningService } from './types.ts';

/** Chromium is launched by each browser test; here we only locate Debian's binary. */
export function locateChromium(): RunningService {
  const bin = process.env.CHROMIUM_PATH ?? findProgram('chromium');
  if (!bin)
    throw new Error('chromium not found: apt-get install chromium (or run scripts/setup.sh)');
  return { name: 'chromium', processes: [], env: { TESTENV_CHROMIUM_PATH: bin } };
}
