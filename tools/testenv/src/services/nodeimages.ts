// The two images every real node needs, built here because no registry is reachable: the pod
// sandbox (`pause`, compiled from the C file that ships in the kubernetes module) and CoreDNS
// (the binary install.ts builds from tools/testenv/go/coredns). Both are FROM scratch.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from '../install.ts';
import { buildahBuild, ociArchive } from '../oci.ts';
import { cacheDir, goModulesDir } from '../paths.ts';
import { corednsImage, pauseImage } from './nodeconfig.ts';

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr ?? ''}`);
  return r.stdout.trim();
}

/** A FROM scratch image holding one static binary as its entrypoint. */
function scratchImage(tag: string, name: string, binary: string): string {
  const context = join(cacheDir, 'build', name);
  mkdirSync(context, { recursive: true });
  copyFileSync(binary, join(context, name));
  writeFileSync(
    join(context, 'Containerfile'),
    `FROM scratch\nCOPY ${name} /${name}\nENTRYPOINT ["/${name}"]\n`,
  );
  buildahBuild({ tag, file: join(context, 'Containerfile'), context });
  return ociArchive(tag);
}

function pauseBinary(): string {
  const out = binaryPath('pause-3.10');
  if (existsSync(out)) return out;
  const kubeModule = run(
    'go',
    ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'],
    join(goModulesDir, 'kube'),
  );
  run('gcc', [
    '-Os',
    '-static',
    '-DVERSION=3.10',
    '-o',
    out,
    join(kubeModule, 'build/pause/linux/pause.c'),
  ]);
  return out;
}

/** OCI archives of the pause and CoreDNS images (built once, then reused from the cache). */
export function nodeImageArchives(): string[] {
  return [
    scratchImage(pauseImage, 'pause', pauseBinary()),
    scratchImage(corednsImage, 'coredns', binaryPath('coredns')),
  ];
}
