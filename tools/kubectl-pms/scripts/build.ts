// Builds dist/kubectl-pms: one executable made with Node's single-executable-application
// support. Node 24 runs only one CommonJS script from a SEA blob, so esbuild first bundles
// src/main.ts (and client-node) into dist/kubectl-pms.cjs; `node --experimental-sea-config`
// turns that into a blob, and postject injects the blob into a copy of this Node binary.
// The result runs on machines of the same OS and architecture without Node installed.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { tarGz } from '../src/tar.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bundle = join(dist, 'kubectl-pms.cjs');
const blob = join(dist, 'kubectl-pms.blob');
const seaConfig = join(dist, 'sea-config.json');
const exe = join(dist, 'kubectl-pms');
// The fuse Node's SEA loader looks for (documented in Node's single-executable-applications page).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  // postject warns about ELF note sections it does not parse; that is harmless noise.
  const stderr = (r.stderr ?? '')
    .split('\n')
    .filter((l) => l && !l.includes("Can't find string offset for section name"))
    .join('\n');
  if (stderr) process.stderr.write(`${stderr}\n`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(root, 'src/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  outfile: bundle,
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(
  seaConfig,
  JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
  }),
);
run(process.execPath, ['--experimental-sea-config', seaConfig]);
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
run(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE]);
rmSync(blob);
rmSync(seaConfig);
// The release archive krew installs from (plugins/pms.yaml): the executable, and the licence
// when the repository has one. Named with Go's OS/arch words, as krew's selectors use them.
const arch =
  ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
const archive = join(dist, `kubectl-pms-${process.platform}-${arch}.tar.gz`);
const license = join(root, '..', '..', 'LICENSE');
writeFileSync(
  archive,
  tarGz(
    [
      { path: 'kubectl-pms', content: readFileSync(exe), mode: 0o755 },
      ...(existsSync(license) ? [{ path: 'LICENSE', content: readFileSync(license) }] : []),
    ],
    new Date(),
  ),
);
process.stdout.write(
  `built ${exe} and ${archive} (Node ${process.version}, ${process.platform}-${arch})\n`,
);
