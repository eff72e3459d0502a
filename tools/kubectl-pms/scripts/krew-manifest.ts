// Writes the finished krew manifest for a release to stdout:
//   node scripts/krew-manifest.ts --version 0.1.0 --repository OWNER/NAME \
//     --archive linux-amd64=dist/kubectl-pms-linux-amd64.tar.gz --archive linux-arm64=...
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fillKrewManifest } from '../src/krew.ts';

const { values } = parseArgs({
  options: {
    version: { type: 'string' },
    repository: { type: 'string' },
    archive: { type: 'string', multiple: true },
  },
});
const sha256: Record<string, string> = {};
for (const a of values.archive ?? []) {
  const [platform, file] = a.split('=');
  if (!platform || !file) throw new Error(`--archive takes PLATFORM=FILE (got "${a}")`);
  sha256[platform] = createHash('sha256').update(readFileSync(file)).digest('hex');
}
const template = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', 'plugins', 'pms.yaml'),
  'utf8',
);
process.stdout.write(
  fillKrewManifest(template, {
    version: values.version ?? '',
    repository: values.repository ?? '',
    sha256,
  }),
);
