// Builds the Go-based services from the pinned wrapper modules in tools/testenv/go/ into the
// cache directory. A binary is rebuilt only when its module's inputs (go.mod, go.sum, *.go) or the
// Go toolchain change, so a warm run is a few hash computations.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, goModulesDir } from './paths.ts';

export interface GoTarget {
  /** Wrapper module folder under tools/testenv/go. */
  module: string;
  /** Binaries this module produces, each with the package to build. */
  binaries: Array<{ name: string; pkg: string }>;
  /** Extra -ldflags (e.g. the Kubernetes version stamp). */
  ldflags?: (goMod: string) => string;
}

const kubeVersion = (goMod: string): string => {
  const m = /k8s\.io\/kubernetes v(\d+)\.(\d+)\.(\d+)/.exec(goMod);
  if (!m) throw new Error('tools/testenv/go/kube/go.mod does not require k8s.io/kubernetes');
  const [, major, minor, patch] = m;
  const v = 'k8s.io/component-base/version';
  return `-X ${v}.gitVersion=v${major}.${minor}.${patch} -X ${v}.gitMajor=${major} -X ${v}.gitMinor=${minor}`;
};

/** The Traefik version pinned by tools/testenv/go/traefik/go.mod (also its image tag). */
export function traefikVersion(goMod: string): string {
  const m = /github\.com\/traefik\/traefik\/v3 (v\d+\.\d+\.\d+)/.exec(goMod);
  if (!m?.[1]) throw new Error('tools/testenv/go/traefik/go.mod does not require traefik/v3');
  return m[1];
}

export const goTargets: GoTarget[] = [
  {
    module: 'etcd',
    binaries: [{ name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' }],
  },
  {
    module: 'kube',
    binaries: [
      { name: 'kube-apiserver', pkg: './cmd/kube-apiserver' },
      { name: 'kube-controller-manager', pkg: './cmd/kube-controller-manager' },
      { name: 'kube-scheduler', pkg: './cmd/kube-scheduler' },
      { name: 'kubelet', pkg: './cmd/kubelet' },
      { name: 'kube-proxy', pkg: './cmd/kube-proxy' },
    ],
    ldflags: kubeVersion,
  },
  { module: 'kwok', binaries: [{ name: 'kwok', pkg: 'sigs.k8s.io/kwok/cmd/kwok' }] },
  { module: 'ferretdb', binaries: [{ name: 'ferretdb', pkg: '.' }] },
  { module: 'minio', binaries: [{ name: 'minio', pkg: 'github.com/minio/minio' }] },
  {
    module: 'traefik',
    binaries: [{ name: 'traefik', pkg: 'github.com/traefik/traefik/v3/cmd/traefik' }],
    // `traefik version` and the start-up log read this (Traefik's Makefile sets it the same way).
    ldflags: (goMod) =>
      `-X github.com/traefik/traefik/v3/pkg/version.Version=${traefikVersion(goMod)}`,
  },
  { module: 'coredns', binaries: [{ name: 'coredns', pkg: '.' }] },
];

function goVersion(): string {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      'The Go toolchain is required to build the test services (`go version` failed). Install Go 1.24+.',
    );
  }
  return r.stdout.trim();
}

/** Hash of everything that determines a module's binaries. */
export function moduleFingerprint(moduleDir: string, toolchain: string): string {
  const h = createHash('sha256').update(toolchain);
  const files = readdirSync(moduleDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort();
  for (const f of files) h.update(f).update(readFileSync(join(moduleDir, f)));
  return h.digest('hex').slice(0, 16);
}

export function binaryPath(name: string): string {
  return join(binDir, name);
}

/** Builds every missing or stale binary. Logs progress to stderr. */
export function installGoBinaries(log: (msg: string) => void): void {
  mkdirSync(binDir, { recursive: true });
  const toolchain = goVersion();
  for (const target of goTargets) {
    const dir = join(goModulesDir, target.module);
    const stamp = join(binDir, `.${target.module}.stamp`);
    const fingerprint = moduleFingerprint(dir, toolchain);
    const fresh =
      existsSync(stamp) &&
      readFileSync(stamp, 'utf8') === fingerprint &&
      target.binaries.every((b) => existsSync(binaryPath(b.name)));
    if (fresh) continue;
    const goMod = readFileSync(join(dir, 'go.mod'), 'utf8');
    const ldflags = ['-s', '-w', target.ldflags?.(goMod) ?? ''].join(' ').trim();
    for (const b of target.binaries) {
      log(`building ${b.name} from tools/testenv/go/${target.module} (first run takes minutes)`);
      const started = Date.now();
      const r = spawnSync('go', ['build', '-ldflags', ldflags, '-o', binaryPath(b.name), b.pkg], {
        cwd: dir,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, CGO_ENABLED: '0' },
      });
      if (r.status !== 0) {
        throw new Error(`go build of ${b.name} failed (exit ${r.status}); see the output above`);
      }
      log(`built ${b.name} in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    writeFileSync(stamp, fingerprint);
  }
}

/** Debian-provided programs the services need, with the package that provides each. */
export const debianPrograms: Record<string, string> = {
  'redis-server': 'redis-server',
  openssl: 'openssl',
  chromium: 'chromium',
  // The real node (`node` service) and the images it runs.
  containerd: 'containerd',
  ctr: 'containerd',
  runc: 'runc',
  '/usr/lib/cni/bridge': 'containernetworking-plugins',
  ip: 'iproute2',
  iptables: 'iptables',
  nsenter: 'util-linux',
  buildah: 'buildah',
  gcc: 'gcc',
};

export function findProgram(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function checkDebianPrograms(): string[] {
  return Object.entries(debianPrograms)
    .filter(([prog]) => !findProgram(prog))
    .map(([prog, pkg]) => `${prog} not found: apt-get install ${pkg} (or run scripts/setup.sh)`);
}
