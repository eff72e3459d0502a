#!/usr/bin/env node
// pms-images: build the images of this repository with buildah (no Docker engine, no registry).
//   images build [--version 0.1.0] [--base-image <ref>] [--only operator,backend,...] [--json]
// Prints a table (or JSON with --json) of each image's tag, OCI archive, build and save seconds
// and size. Needs root (buildah's chroot isolation and mmdebstrap), buildah and mmdebstrap.
import { parseArgs } from 'node:util';
import { buildAllImages } from './build.ts';
import { parseOnly, summaryTable } from './images.ts';

const USAGE = `usage: images build [--version V] [--base-image REF] [--only ${'operator,backend,frontend,backup,redis,minio,ferretdb'}] [--json]`;

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      version: { type: 'string', default: '0.1.0' },
      'base-image': { type: 'string' },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals[0] !== 'build' || positionals.length !== 1) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const started = performance.now();
  const records = buildAllImages({
    version: values.version,
    only: parseOnly(values.only),
    ...(values['base-image'] ? { baseImage: values['base-image'] } : {}),
  });
  const wall = (performance.now() - started) / 1000;
  if (values.json)
    process.stdout.write(`${JSON.stringify({ images: records, seconds: wall }, null, 2)}\n`);
  else
    process.stdout.write(
      `${summaryTable(records)}\n(wall clock incl. base images: ${wall.toFixed(1)} s)\n`,
    );
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`images: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
