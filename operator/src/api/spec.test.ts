import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidSpecError, parseInstance, parseQuantity } from './spec.ts';

const raw = (spec: Record<string, unknown>) => ({
  metadata: { name: 'a', namespace: 'n', uid: 'u', generation: 2 },
  spec: { version: '1.0.0', host: 'a.example.com', ...spec },
});

describe('parseInstance', () => {
  it('applies the documented defaults', () => {
    const { spec, metadata } = parseInstance(raw({}));
    assert.equal(metadata.generation, 2);
    assert.equal(spec.image.registry, 'ghcr.io/pms');
    assert.equal(spec.image.pullPolicy, 'IfNotPresent');
    assert.equal(spec.backend.replicas, 1);
    assert.equal(spec.worker.enabled, true);
    assert.equal(spec.mongodb.version, '7.0');
    assert.equal(spec.mongodb.replicas, 1);
    assert.equal(spec.mongodb.storage.size, '10Gi');
    assert.equal(spec.mongodb.storage.deleteOnInstanceDelete, false);
    assert.equal(spec.objectStorage.storage.size, '10Gi');
    assert.equal(spec.redis.enabled, true);
    assert.equal(spec.networkPolicy.enabled, true);
    assert.equal(spec.features.registration, false);
    assert.equal(spec.backup.retention.keepLast, 7);
    assert.equal(spec.paused, false);
    assert.deepEqual(spec.backend.resources, {
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
  });

  it('keeps what the user set', () => {
    const { spec } = parseInstance(
      raw({ backend: { replicas: 4, resources: { requests: { cpu: 1 } } } }),
    );
    assert.equal(spec.backend.replicas, 4);
    assert.deepEqual(spec.backend.resources, { requests: { cpu: '1' } });
  });

  it('refuses env names the operator owns and requests above limits, listing every problem', () => {
    assert.throws(
      () =>
        parseInstance(
          raw({
            backend: { env: [{ name: 'MONGODB_URI', value: 'x' }] },
            worker: { resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } },
          }),
        ),
      (err: Error) =>
        err instanceof InvalidSpecError &&
        err.message.includes('spec.backend.env: MONGODB_URI is set by the operator') &&
        err.message.includes(
          'spec.worker.resources.requests.memory (2Gi) exceeds spec.worker.resources.limits.memory (1Gi)',
        ),
    );
  });

  it('refuses what the schema would have refused (objects built in code)', () => {
    assert.throws(() => parseInstance(raw({ mongodb: { replicas: 2 } })), InvalidSpecError);
    assert.throws(() => parseInstance({ spec: { host: 'x' } }), /spec.version/);
  });

  it("words zod's messages in English (zod/mini loads no locale by itself)", () => {
    assert.throws(
      () => parseInstance({ spec: { host: 'x' } }),
      /^InvalidSpecError: spec\.version: Invalid input: expected string, received undefined$/,
    );
    assert.throws(
      () => parseInstance(raw({ backend: { autoscaling: { minReplicas: 3, maxReplicas: 2 } } })),
      /spec\.backend\.autoscaling: minReplicas must not exceed maxReplicas/,
    );
    assert.throws(
      () => parseInstance(raw({ worker: { replicas: 21 } })),
      /spec\.worker\.replicas: Too big: expected number to be <=20/,
    );
  });
});

describe('parseQuantity', () => {
  it('understands Kubernetes quantities', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1Gi'), 1024 ** 3);
    assert.equal(parseQuantity('1.5G'), 1.5e9);
    assert.equal(parseQuantity('2e3'), 2000);
    assert.equal(parseQuantity('10'), 10);
    assert.equal(parseQuantity('lots'), undefined);
  });
});
