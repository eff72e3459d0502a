// The release this binary belongs to, recorded with every migration it applies: the
// backend's package.json version (`src/` and `dist/` both sit next to it, in the image too).
import { readFileSync } from 'node:fs';

export const APP_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
