import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftPaths, inSync, ownedNotDesired } from './drift.ts';

const applied = (fieldsV1: object, manager = 'pms-operator', operation = 'Apply') => ({
  managedFields: [{ manager, operation, fieldsV1 }],
});

describe('driftPaths', () => {
  it('ignores fields only the live object has (defaults, other managers)', () => {
    assert.ok(
      inSync(
        { spec: { replicas: 2 } },
        { spec: { replicas: 2, progressDeadlineSeconds: 600 }, status: {} },
      ),
    );
  });
  it('finds changed scalars, missing fields and list length changes', () => {
    assert.deepEqual(driftPaths({ spec: { replicas: 2 } }, { spec: { replicas: 5 } }), [
      'spec.replicas',
    ]);
    assert.deepEqual(driftPaths({ a: { b: 'x' } }, {}), ['a']);
    assert.deepEqual(driftPaths({ l: [1, 2] }, { l: [1] }), ['l']);
    assert.deepEqual(driftPaths({ l: [{ n: 'a' }] }, { l: [{ n: 'b', extra: 1 }] }), ['l[0].n']);
  });
  it('compares quantities by value, everything else exactly', () => {
    const res = (cpu: string, memory: string) => ({ resources: { limits: { cpu, memory } } });
    assert.ok(inSync(res('0.5', '1024Mi'), res('500m', '1Gi')));
    assert.ok(inSync(res('1.10', '1Gi'), res('1100m', '1Gi')));
    assert.ok(!inSync(res('1', '1Gi'), res('1', '2Gi')));
    assert.ok(inSync({ emptyDir: { sizeLimit: '0.5Gi' } }, { emptyDir: { sizeLimit: '512Mi' } }));
    // Not quantities: a version, an image tag, a label value.
    assert.ok(!inSync({ labels: { v: '1.10' } }, { labels: { v: '1.1' } }));
    assert.ok(!inSync({ image: 'pms:1.10' }, { image: 'pms:1.1' }));
    assert.ok(!inSync({ value: '0.5' }, { value: '500m' }));
    assert.ok(inSync({ annotations: {}, ingress: [] }, {}));
    assert.ok(!inSync({ name: 'a' }, { name: 'b' }));
  });
  it('a field our manager applied before but no longer renders is drift', () => {
    const live = {
      metadata: {
        annotations: { a: '1', other: 'x' },
        ...applied({ 'f:metadata': { 'f:annotations': { 'f:a': {} } } }),
      },
    };
    assert.deepEqual(driftPaths({ metadata: { annotations: {} } }, live), [
      '-metadata.annotations.a',
    ]);
    assert.ok(inSync({ metadata: { annotations: { a: '1' } } }, live));
  });
  it('only counts our own Apply entry', () => {
    const fields = { 'f:spec': { 'f:x': {} } };
    const live = (manager: string, operation: string) => ({
      spec: { x: 1 },
      metadata: applied(fields, manager, operation),
    });
    assert.ok(inSync({ spec: {} }, live('kubectl', 'Apply')));
    assert.ok(inSync({ spec: {} }, live('pms-operator', 'Update')));
    assert.ok(!inSync({ spec: {} }, live('pms-operator', 'Apply')));
  });
});

describe('ownedNotDesired', () => {
  // As the API server records a Deployment applied with these fields (defaulted list-map
  // keys such as a port's protocol included).
  const owned = {
    'f:spec': {
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"c"}': {
              '.': {},
              'f:name': {},
              'f:image': {},
              'f:ports': {
                'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
              },
              'f:resources': { 'f:limits': { 'f:cpu': {} } },
            },
          },
          'f:imagePullSecrets': { 'k:{"name":"s1"}': {} },
        },
      },
      'f:tls': {},
      'f:finalizers': { 'v:"a"': {} },
    },
  };
  const desired = () => ({
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'c',
              image: 'x',
              ports: [{ containerPort: 80 }],
              resources: { limits: { cpu: '1' } },
            },
          ],
          imagePullSecrets: [{ name: 's1' }],
        },
      },
      tls: [{ secretName: 't' }],
      finalizers: ['a'],
    },
  });

  it('is empty when everything owned is still rendered', () => {
    assert.deepEqual(ownedNotDesired(owned, desired()), []);
  });
  it('names each removed field, list element and set member', () => {
    const d = desired();
    const pod = d.spec.template.spec as Record<string, unknown>;
    delete pod.imagePullSecrets;
    const c = (pod.containers as Array<Record<string, unknown>>)[0] ?? {};
    c.resources = { limits: {} };
    c.ports = [{ containerPort: 81 }];
    delete (d.spec as Record<string, unknown>).tls;
    d.spec.finalizers = [];
    assert.deepEqual(ownedNotDesired(owned, d), [
      'spec.template.spec.containers[k:{"name":"c"}].ports[k:{"containerPort":80,"protocol":"TCP"}]',
      'spec.template.spec.containers[k:{"name":"c"}].resources.limits.cpu',
      'spec.template.spec.imagePullSecrets',
      'spec.tls',
      'spec.finalizers[v:"a"]',
    ]);
  });
  it('a list element whose key no longer matches is gone', () => {
    const d = desired();
    (d.spec.template.spec.containers[0] as { name: string }).name = 'renamed';
    assert.deepEqual(ownedNotDesired(owned, d), ['spec.template.spec.containers[k:{"name":"c"}]']);
  });
});
