import assert from 'node:assert/strict';
import { it } from 'node:test';
import { archiveName, budArgs, outputTail } from './oci.ts';

it('buildah bud arguments: chroot isolation, layer cache, OCI format, never pulls', () => {
  assert.deepEqual(
    budArgs({
      tag: 'ghcr.io/pms/pms-backend:0.1.0',
      file: 'app/backend/Dockerfile',
      context: '.',
      buildArgs: { Z: '1', BASE_IMAGE: 'localhost/pms/node-base:24' },
      target: 'runtime',
    }),
    [
      'bud',
      '--isolation',
      'chroot',
      '--layers',
      '--format',
      'oci',
      '--pull=never',
      '--build-arg',
      'BASE_IMAGE=localhost/pms/node-base:24',
      '--build-arg',
      'Z=1',
      '--target',
      'runtime',
      '--tag',
      'ghcr.io/pms/pms-backend:0.1.0',
      '--file',
      'app/backend/Dockerfile',
      '.',
    ],
  );
});

it('the host CA bundle is mounted read-only for RUN steps when given', () => {
  const args = budArgs(
    { tag: 't:1', file: 'f', context: '.' },
    '/etc/ssl/certs/ca-certificates.crt',
  );
  const i = args.indexOf('--volume');
  assert.equal(
    args[i + 1],
    '/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro',
  );
  assert.ok(!budArgs({ tag: 't:1', file: 'f', context: '.' }).includes('--volume'));
});

it('archive names are safe file names, distinct per reference', () => {
  assert.equal(archiveName('ghcr.io/pms/pms-operator:0.1.0'), 'ghcr.io_pms_pms-operator_0.1.0.tar');
  assert.notEqual(
    archiveName('localhost/pms/redis:0.1.0'),
    archiveName('localhost/pms/redis:0.2.0'),
  );
});

it('error output keeps the last lines', () => {
  const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
  const tail = outputTail(text, 3);
  assert.equal(tail, 'line 97\nline 98\nline 99');
});
