// The catalogue of images the install and the operator reference, with their canonical tags
// (the install defaults: ghcr.io/pms/* for the product, localhost/pms/* for the data stores this
// repository builds). Pure: the build (build.ts) and the tests read it.
import { join } from 'node:path';

export const IMAGE_NAMES = [
  'operator',
  'backend',
  'frontend',
  'backup',
  'redis',
  'minio',
  'ferretdb',
] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface ImageSpec {
  name: ImageName;
  tag: string;
  /** Dockerfile, absolute. */
  file: string;
  /** Build context, absolute; absent when the build prepares one from `binary`. */
  context?: string;
  /** A binary from the testenv cache (bin/<binary>) copied into a fresh context. */
  binary?: string;
  target?: string;
  buildArgs: Record<string, string>;
}

export interface PlanOptions {
  repoRoot: string;
  /** The product version (PmsInstance spec.version; the operator's own image too). */
  version: string;
  /** BASE_IMAGE of the Node Dockerfiles. */
  nodeBase: string;
  /** BASE_IMAGE of the data-store Dockerfiles (a Debian image with apt). */
  debianBase: string;
}

export function imagePlan(o: PlanOptions): ImageSpec[] {
  const node = { BASE_IMAGE: o.nodeBase };
  const debian = { BASE_IMAGE: o.debianBase };
  const r = (...p: string[]) => join(o.repoRoot, ...p);
  return [
    {
      name: 'operator',
      tag: `ghcr.io/pms/pms-operator:${o.version}`,
      file: r('Dockerfile.operator'),
      context: o.repoRoot,
      target: 'runtime',
      buildArgs: node,
    },
    {
      // The API and the worker: one image, two commands.
      name: 'backend',
      tag: `ghcr.io/pms/pms-backend:${o.version}`,
      file: r('app', 'backend', 'Dockerfile'),
      context: o.repoRoot,
      target: 'runtime',
      buildArgs: node,
    },
    {
      name: 'frontend',
      tag: `ghcr.io/pms/pms-frontend:${o.version}`,
      file: r('app', 'frontend', 'Dockerfile'),
      context: o.repoRoot,
      target: 'runtime',
      buildArgs: node,
    },
    {
      name: 'backup',
      tag: `ghcr.io/pms/pms-backup:${o.version}`,
      file: r('app', 'backup', 'Dockerfile'),
      context: o.repoRoot,
      target: 'runtime',
      buildArgs: node,
    },
    {
      name: 'redis',
      tag: `localhost/pms/redis:${o.version}`,
      file: r('images', 'redis', 'Dockerfile'),
      context: r('images', 'redis'),
      buildArgs: debian,
    },
    {
      name: 'minio',
      tag: `localhost/pms/minio:${o.version}`,
      file: r('images', 'minio', 'Dockerfile'),
      binary: 'minio',
      buildArgs: debian,
    },
    {
      name: 'ferretdb',
      tag: `localhost/pms/ferretdb:${o.version}`,
      file: r('images', 'ferretdb', 'Dockerfile'),
      binary: 'ferretdb',
      buildArgs: debian,
    },
  ];
}

/** `--only a,b` → the names, checked against the catalogue. */
export function parseOnly(value: string | undefined): ImageName[] {
  if (value === undefined) return [...IMAGE_NAMES];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(IMAGE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `--only: unknown image(s) ${unknown.join(', ')}; known: ${IMAGE_NAMES.join(', ')}`,
    );
  }
  return names as ImageName[];
}

export interface BuildRecord {
  name: string;
  tag: string;
  archive: string;
  /** Seconds spent building (buildah bud) and saving the archive. */
  buildSeconds: number;
  saveSeconds: number;
  /** Uncompressed size as buildah reports it, and the archive's bytes (gzip layers). */
  size: string;
  archiveBytes: number;
}

/** A plain-text table with each image's share of the total time. */
export function summaryTable(records: BuildRecord[]): string {
  const total = records.reduce((a, r) => a + r.buildSeconds + r.saveSeconds, 0);
  const rows = records.map((r) => {
    const s = r.buildSeconds + r.saveSeconds;
    return [
      r.name,
      r.tag,
      r.buildSeconds.toFixed(1),
      r.saveSeconds.toFixed(1),
      total > 0 ? `${Math.round((100 * s) / total)}%` : '-',
      r.size,
      `${(r.archiveBytes / 1e6).toFixed(1)} MB`,
    ];
  });
  const head = ['image', 'tag', 'build s', 'save s', 'share', 'size', 'archive'];
  rows.push(['total', '', '', '', '', '', `${total.toFixed(1)} s`]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(width[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
