// Build every image (or a chosen few) with buildah and save each as an OCI archive that
// containerd imports (`importIntoContainerd` in @pms/testenv/oci). buildah's layer cache makes a
// rebuild with unchanged inputs take seconds; the archive is rewritten only when the image ID
// changes.
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildahBuild, ociArchive } from '@pms/testenv/oci';
import { debianBaseTag, ensureDebianBase, ensureNodeBase, nodeBaseTag } from './base.ts';
import { imagePlan, type BuildRecord, type ImageName, type ImageSpec } from './images.ts';
import { binDir, repoRoot } from './paths.ts';
import { run } from './run.ts';

// How the test database runs as a pod (npm start's local cluster, the full-stack test).
export { ferretdbObjects, ferretdbUri, type FerretdbOptions } from './ferretdb.ts';

export interface BuildAllOptions {
  /** Product version tag (default 0.1.0, the PmsInstance spec.version the tests use). */
  version?: string;
  /** Use this BASE_IMAGE for the Node images (and the data stores) instead of building one. */
  baseImage?: string;
  only?: ImageName[];
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface BuiltImage extends BuildRecord {
  name: ImageName;
}

const seconds = (start: number) => (performance.now() - start) / 1000;

/** A context holding only the cached binary the Dockerfile copies (minio, ferretdb). */
function binaryContext(binary: string): string {
  const bin = join(binDir, binary);
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: build it with \`npm run env -- install\` (scripts/setup.sh does)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), `pms-image-${binary}-`));
  copyFileSync(bin, join(dir, binary));
  return dir;
}

function buildOne(spec: ImageSpec): { buildSeconds: number } {
  const start = performance.now();
  const context = spec.context ?? binaryContext(spec.binary ?? '');
  try {
    buildahBuild({
      tag: spec.tag,
      file: spec.file,
      context,
      buildArgs: spec.buildArgs,
      ...(spec.target ? { target: spec.target } : {}),
    });
  } finally {
    if (!spec.context) rmSync(context, { recursive: true, force: true });
  }
  return { buildSeconds: seconds(start) };
}

function sizeOf(tag: string): string {
  const out = run('buildah', ['images', '--json', tag], `inspecting ${tag}`);
  const parsed = JSON.parse(out) as { size?: string }[];
  return parsed[0]?.size ?? '?';
}

/** The base images this run uses; built (or found up to date) unless `baseImage` is given. */
export function ensureBases(opts: BuildAllOptions = {}): { node: string; debian: string } {
  if (opts.baseImage) return { node: opts.baseImage, debian: opts.baseImage };
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let start = performance.now();
  const d = ensureDebianBase(debianBaseTag);
  log(`${d.tag}: ${d.built ? 'built' : 'up to date'} (${seconds(start).toFixed(1)} s)`);
  start = performance.now();
  const n = ensureNodeBase(nodeBaseTag, debianBaseTag);
  log(`${n.tag}: ${n.built ? 'built' : 'up to date'} (${seconds(start).toFixed(1)} s)`);
  return { node: n.tag, debian: d.tag };
}

export function buildAllImages(opts: BuildAllOptions = {}): BuiltImage[] {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const bases = ensureBases(opts);
  const plan = imagePlan({
    repoRoot,
    version: opts.version ?? '0.1.0',
    nodeBase: bases.node,
    debianBase: bases.debian,
  }).filter((s) => !opts.only || opts.only.includes(s.name));
  const out: BuiltImage[] = [];
  for (const spec of plan) {
    log(`building ${spec.tag} (${spec.file.slice(repoRoot.length + 1)})`);
    const { buildSeconds } = buildOne(spec);
    const start = performance.now();
    const archive = ociArchive(spec.tag);
    const saveSeconds = seconds(start);
    const record: BuiltImage = {
      name: spec.name,
      tag: spec.tag,
      archive,
      buildSeconds,
      saveSeconds,
      size: sizeOf(spec.tag),
      archiveBytes: statSync(archive).size,
    };
    log(
      `  ${record.size}, build ${buildSeconds.toFixed(1)} s, save ${saveSeconds.toFixed(1)} s → ${archive}`,
    );
    out.push(record);
  }
  return out;
}
