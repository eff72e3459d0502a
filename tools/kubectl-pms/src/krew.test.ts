import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { parse } from 'yaml';
import { fillKrewManifest } from './krew.ts';

const template = readFileSync(join(import.meta.dirname, '..', 'plugins', 'pms.yaml'), 'utf8');
const sums = { 'linux-amd64': 'a'.repeat(64), 'linux-arm64': 'b'.repeat(64) };

it('fills the krew template into a manifest with a sha256 per platform', () => {
  const m = parse(
    fillKrewManifest(template, { version: '0.1.0', repository: 'acme/pms', sha256: sums }),
  ) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: {
      version: string;
      platforms: {
        selector: { matchLabels: { arch: string } };
        uri: string;
        sha256: string;
        bin: string;
      }[];
    };
  };
  assert.equal(m.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  assert.equal(m.kind, 'Plugin');
  assert.equal(m.metadata.name, 'pms', 'the name kubectl runs it by: kubectl pms');
  assert.equal(m.spec.version, 'v0.1.0');
  assert.deepEqual(
    m.spec.platforms.map((p) => [p.selector.matchLabels.arch, p.uri, p.sha256, p.bin]),
    [
      [
        'amd64',
        'https://github.com/acme/pms/releases/download/v0.1.0/kubectl-pms-linux-amd64.tar.gz',
        sums['linux-amd64'],
        'kubectl-pms',
      ],
      [
        'arm64',
        'https://github.com/acme/pms/releases/download/v0.1.0/kubectl-pms-linux-arm64.tar.gz',
        sums['linux-arm64'],
        'kubectl-pms',
      ],
    ],
  );
});

it('refuses a release that leaves a placeholder or a bad value', () => {
  assert.throws(
    () =>
      fillKrewManifest(template, {
        version: '0.1.0',
        repository: 'acme/pms',
        sha256: { 'linux-amd64': sums['linux-amd64'] },
      }),
    /no value for SHA256_LINUX_ARM64/,
  );
  assert.throws(
    () => fillKrewManifest(template, { version: 'v0.1.0', repository: 'acme/pms', sha256: sums }),
    /semver/,
  );
  assert.throws(
    () =>
      fillKrewManifest(template, {
        version: '0.1.0',
        repository: 'acme/pms',
        sha256: { ...sums, 'linux-arm64': 'x' },
      }),
    /not 64 hex digits/,
  );
});
