// Container images without a Docker engine: buildah builds them from the repository's
// Dockerfiles (chroot isolation works on this VM without a daemon), pushes them to OCI
// archives on disk, and containerd imports those archives so pods run them with
// imagePullPolicy Never/IfNotPresent (no registry is reachable here).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.ts';

/** Where OCI archives are kept across runs (next to the cached binaries). */
export const imagesDir = join(cacheDir, 'images');

export interface BuildOptions {
  /** Full image reference, e.g. ghcr.io/pms/pms-backend:0.1.0. */
  tag: string;
  /** Dockerfile path. */
  file: string;
  /** Build context directory. */
  context: string;
  buildArgs?: Record<string, string>;
  /** Multi-stage target. */
  target?: string;
}

/** Keep the last lines of a tool's output for an error message (the cause is at the end). */
export function outputTail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** File name for an image reference: registry/path:tag → registry_path_tag.tar. */
export function archiveName(tag: string): string {
  return `${tag.replace(/[^A-Za-z0-9._-]+/g, '_')}.tar`;
}

/** The host's CA bundle (Debian's path), when there is one. */
export const hostCaBundle = '/etc/ssl/certs/ca-certificates.crt';

/**
 * `buildah bud` argument list (pure, so it is unit-tested). `caBundle`: the host's CA bundle,
 * bind-mounted read-only over the image's during RUN steps only (never part of a layer), so that
 * downloads inside the build (npm ci) trust what the host trusts, e.g. a TLS-inspecting egress
 * proxy's CA; the node base sets npm's cafile to that path (tools/images/src/base.ts).
 */
export function budArgs(opts: BuildOptions, caBundle?: string): string[] {
  const args = ['bud', '--isolation', 'chroot', '--layers', '--format', 'oci'];
  // Base images are local (localhost/pms/...): never try a registry.
  args.push('--pull=never');
  if (caBundle) args.push('--volume', `${caBundle}:${hostCaBundle}:ro`);
  for (const [k, v] of Object.entries(opts.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    args.push('--build-arg', `${k}=${v}`);
  if (opts.target) args.push('--target', opts.target);
  args.push('--tag', opts.tag, '--file', opts.file, opts.context);
  return args;
}

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${what}: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const out = outputTail(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    throw new Error(`${what} failed (${cmd} exit ${r.status}):\n${out}`);
  }
  return r.stdout;
}

/** Build an image with buildah; layers are cached in buildah's store, so a rebuild is quick. */
export function buildahBuild(opts: BuildOptions): void {
  const ca = existsSync(hostCaBundle) ? hostCaBundle : undefined;
  run('buildah', budArgs(opts, ca), `building ${opts.tag} from ${opts.file}`);
}

/** The local image ID of a reference (buildah's store). */
export function imageId(tag: string): string {
  const out = run('buildah', ['images', '--no-trunc', '--quiet', tag], `looking up ${tag}`);
  const id = out.trim().split('\n')[0];
  if (!id) throw new Error(`image ${tag} not found in buildah's store`);
  return id.replace(/^sha256:/, '');
}

/**
 * Save an image as an OCI archive (reference name kept inside, so `ctr images import` tags it).
 * The image ID is stored beside the archive; when it matches, the push is skipped.
 */
export function ociArchive(tag: string): string {
  mkdirSync(imagesDir, { recursive: true });
  const archive = join(imagesDir, archiveName(tag));
  const idFile = `${archive}.id`;
  const id = imageId(tag);
  if (existsSync(archive) && existsSync(idFile) && readFileSync(idFile, 'utf8').trim() === id)
    return archive;
  // Push to a temporary name (per process: two test runs may save the same image at once) and
  // rename, so an interrupted push never looks complete.
  const tmp = `${archive}.${process.pid}.partial`;
  rmSync(tmp, { force: true });
  rmSync(idFile, { force: true });
  run(
    'buildah',
    ['push', '--quiet', tag, `oci-archive:${tmp}:${tag}`],
    `saving ${tag} to ${archive}`,
  );
  renameSync(tmp, archive);
  writeFileSync(idFile, `${id}\n`);
  return archive;
}

/** Import an OCI archive into containerd's Kubernetes namespace (what the kubelet uses). */
export function importIntoContainerd(socket: string, archive: string): void {
  run(
    'ctr',
    ['-a', socket, '-n', 'k8s.io', 'images', 'import', archive],
    `importing ${archive} into containerd`,
  );
}
