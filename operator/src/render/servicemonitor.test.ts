import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChildren, type Child } from './index.ts';
import { renderServiceMonitor } from './servicemonitor.ts';
import { makeInstance } from './test-fixtures.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const monitors = (children: Child[]) => children.filter((c) => c.kind === 'ServiceMonitor');
const served = { serviceMonitors: true };

describe('renderServiceMonitor', () => {
  it('scrapes the backend Service metrics port at /metrics, owned and labelled like every child', () => {
    const i = makeInstance({ monitoring: { enabled: true } });
    const [sm] = renderServiceMonitor(i, true) as Json[];
    assert.ok(sm);
    assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(sm.metadata.name, 'acme-backend');
    assert.equal(sm.metadata.namespace, i.metadata.namespace);
    assert.deepEqual(sm.metadata.labels, {
      'app.kubernetes.io/name': 'pms',
      'app.kubernetes.io/instance': 'acme',
      'app.kubernetes.io/component': 'backend',
      'app.kubernetes.io/managed-by': 'pms-operator',
      'app.kubernetes.io/part-of': 'pms',
      'app.kubernetes.io/version': i.spec.version,
    });
    assert.deepEqual(sm.metadata.ownerReferences, [
      {
        apiVersion: 'pms.io/v1alpha1',
        kind: 'PmsInstance',
        name: 'acme',
        uid: i.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(sm.spec, {
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'pms',
          'app.kubernetes.io/instance': 'acme',
          'app.kubernetes.io/component': 'backend',
        },
      },
      namespaceSelector: { matchNames: [i.metadata.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s' }],
    });
  });

  it('selects exactly the backend Service and names a port it has', () => {
    const children = renderChildren(makeInstance({ monitoring: { enabled: true } }), served);
    const [sm] = monitors(children) as Json[];
    const selector = sm?.spec.selector.matchLabels as Record<string, string>;
    const selected = children.filter(
      (c) =>
        c.kind === 'Service' &&
        Object.entries(selector).every(([k, v]) => c.metadata.labels[k] === v),
    ) as Json[];
    assert.deepEqual(
      selected.map((s) => s.metadata.name),
      ['acme-backend'],
    );
    const ports = (selected[0]?.spec.ports as Json[]).map((p) => p.name);
    assert.ok(ports.includes(sm?.spec.endpoints[0].port), JSON.stringify(ports));
  });

  it('serves metrics on a port of their own (9464), not the API port, only with monitoring', () => {
    const parts = (spec: Record<string, unknown>) => {
      const children = renderChildren(makeInstance(spec), served) as Json[];
      const get = (kind: string, name: string) =>
        children.find((c) => c.kind === kind && c.metadata.name === name);
      const pod = get('Deployment', 'acme-backend')?.spec.template;
      return {
        env: get('ConfigMap', 'acme-config')?.data.METRICS_PORT,
        containerPorts: pod.spec.containers[0].ports.map(
          (p: Json) => `${p.name}:${p.containerPort}`,
        ),
        servicePorts: get('Service', 'acme-backend')?.spec.ports.map(
          (p: Json) => `${p.name}:${p.port}->${p.targetPort}`,
        ),
        annotation: pod.metadata.annotations['prometheus.io/port'],
      };
    };
    assert.deepEqual(parts({ monitoring: { enabled: true } }), {
      env: '9464',
      containerPorts: ['http:4000', 'metrics:9464'],
      servicePorts: ['http:4000->http', 'metrics:9464->metrics'],
      annotation: '9464',
    });
    assert.deepEqual(parts({}), {
      env: undefined,
      containerPorts: ['http:4000'],
      servicePorts: ['http:4000->http'],
      annotation: undefined,
    });
  });

  it('takes the interval and extra labels from spec.monitoring; standard labels win', () => {
    const i = makeInstance({
      monitoring: {
        enabled: true,
        interval: '15s',
        labels: { release: 'prometheus', 'app.kubernetes.io/name': 'other' },
      },
    });
    const [sm] = renderServiceMonitor(i, true) as Json[];
    assert.equal(sm?.spec.endpoints[0].interval, '15s');
    assert.equal(sm?.metadata.labels.release, 'prometheus');
    assert.equal(sm?.metadata.labels['app.kubernetes.io/name'], 'pms');
  });

  it('is rendered only when monitoring is enabled, the kind is served and there is a backend', () => {
    assert.equal(monitors(renderChildren(makeInstance(), served)).length, 0);
    const on = makeInstance({ monitoring: { enabled: true } });
    assert.equal(monitors(renderChildren(on)).length, 0, 'not served by default');
    assert.equal(monitors(renderChildren(on, { serviceMonitors: false })).length, 0);
    assert.equal(monitors(renderChildren(on, served)).length, 1);
    const noBackend = makeInstance({ monitoring: { enabled: true }, backend: { enabled: false } });
    assert.equal(monitors(renderChildren(noBackend, served)).length, 0);
  });

  it('rejects an interval that is not a Prometheus duration', () => {
    assert.throws(() => makeInstance({ monitoring: { enabled: true, interval: '30 seconds' } }));
  });
});
