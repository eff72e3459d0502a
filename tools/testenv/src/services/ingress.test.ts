import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KubeObject } from '../apply.ts';
import { pinnedTraefikVersion, rolledOut, traefikImage, traefikObjects } from './ingress.ts';

const objects = traefikObjects({
  image: traefikImage('v3.6.12'),
  nodeIp: '10.250.3.2',
  namespaceAnnotations: { 'scheduler.alpha.kubernetes.io/node-selector': 'pms.io/real-node=true' },
});
const byKind = (kind: string): KubeObject => {
  const o = objects.find((x) => x.kind === kind);
  assert.ok(o, `${kind} rendered`);
  return o;
};

interface Container {
  args: string[];
  image: string;
  ports: Array<{ containerPort: number; hostPort?: number }>;
  securityContext: Record<string, unknown>;
}
const podSpec = (
  byKind('Deployment') as unknown as {
    spec: {
      strategy: { type: string };
      template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } };
    };
  }
).spec;
const container = podSpec.template.spec.containers[0] as Container;

it('pins the version from the wrapper module', () => {
  assert.equal(pinnedTraefikVersion(), 'v3.6.12');
  assert.equal(traefikImage(pinnedTraefikVersion()), 'localhost/pms/traefik:v3.6.12');
});

it('the namespace carries the real-node annotations it is given', () => {
  assert.deepEqual(byKind('Namespace').metadata.annotations, {
    'scheduler.alpha.kubernetes.io/node-selector': 'pms.io/real-node=true',
  });
});

it('IngressClass traefik is the default class', () => {
  const ic = byKind('IngressClass') as unknown as {
    metadata: { name: string; annotations: Record<string, string> };
    spec: { controller: string };
  };
  assert.equal(ic.metadata.name, 'traefik');
  assert.equal(ic.metadata.annotations['ingressclass.kubernetes.io/is-default-class'], 'true');
  assert.equal(ic.spec.controller, 'traefik.io/ingress-controller');
});

it('RBAC: reads only, except the Ingress status', () => {
  const rules = (
    byKind('ClusterRole') as unknown as {
      rules: Array<{ resources: string[]; verbs: string[] }>;
    }
  ).rules;
  for (const r of rules) {
    if (r.resources.includes('ingresses/status')) assert.deepEqual(r.verbs, ['update']);
    else assert.deepEqual(r.verbs, ['list', 'watch']);
  }
  assert.ok(!rules.some((r) => r.resources.some((x) => x === '*')));
});

it('Traefik runs non-root on a read-only root, node port 80 to :8000, status address, no telemetry', () => {
  assert.equal(podSpec.strategy.type, 'Recreate');
  assert.equal(podSpec.template.spec.securityContext.runAsNonRoot, true);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(
    container.ports.find((p) => p.hostPort === 80),
    { name: 'web', containerPort: 8000, hostPort: 80, protocol: 'TCP' },
  );
  for (const arg of [
    '--entrypoints.web.address=:8000',
    '--providers.kubernetesingress=true',
    '--providers.kubernetesingress.ingressendpoint.ip=10.250.3.2',
    '--ping=true',
    '--accesslog=true',
    '--global.checknewversion=false',
    '--global.sendanonymoususage=false',
  ])
    assert.ok(container.args.includes(arg), arg);
});

it('rolled out: the applied generation observed, only updated pods, all Ready', () => {
  const d = (status: object, generation = 2) => ({
    metadata: { generation },
    spec: { replicas: 1 },
    status,
  });
  const done = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1 };
  assert.equal(rolledOut(d(done)), true);
  // The old pod still Ready while the controller has not seen the new spec.
  assert.equal(rolledOut(d({ ...done, observedGeneration: 1 })), false);
  // Recreate: the old pod is going, the new one not Ready yet.
  assert.equal(rolledOut(d({ ...done, readyReplicas: 0 })), false);
  assert.equal(rolledOut(d({ ...done, replicas: 2 })), false);
  assert.equal(rolledOut(d({}, 1)), false);
});
