// The pure part of the audit-derived RBAC check (test/rbac-audit.ts): grants expanded from
// config/rbac, accesses read from audit events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessKey, granted, operatorUser, used } from './rbac-audit.ts';
import { rbacObjects } from './support/operator-kubeconfig.ts';

describe('rbac audit check', () => {
  it('expands config/rbac into (group, resource, verb)', () => {
    const g = granted(rbacObjects());
    assert.ok(g.has(accessKey('coordination.k8s.io', 'leases', 'update')));
    assert.ok(g.has(accessKey('pms.io', 'pmsinstances', 'watch')));
    assert.ok(!g.has(accessKey('', 'nodes', 'get')));
  });
  it('reads used and denied accesses of the operator only; an apply that created counts as create', () => {
    const sa = 'system:serviceaccount:t1:pms-operator';
    const r = used(
      [
        { verb: 'list', user: { username: sa }, objectRef: { resource: 'secrets' } },
        {
          verb: 'patch',
          user: { username: sa },
          objectRef: { apiGroup: 'apps', resource: 'deployments' },
          responseStatus: { code: 201 },
        },
        {
          verb: 'patch',
          user: { username: sa },
          objectRef: { apiGroup: 'pms.io', resource: 'pmsinstances', subresource: 'status' },
        },
        {
          verb: 'get',
          user: { username: sa },
          objectRef: { resource: 'nodes' },
          annotations: { 'authorization.k8s.io/decision': 'forbid' },
        },
        { verb: 'delete', user: { username: 'admin' }, objectRef: { resource: 'secrets' } },
        { verb: 'get', user: { username: sa } },
      ],
      operatorUser('pms-operator'),
    );
    assert.deepEqual(
      [...r.used].sort(),
      [
        accessKey('', 'secrets', 'list'),
        accessKey('apps', 'deployments', 'create'),
        accessKey('apps', 'deployments', 'patch'),
        accessKey('pms.io', 'pmsinstances/status', 'patch'),
      ].sort(),
    );
    assert.deepEqual([...r.denied], [accessKey('', 'nodes', 'get')]);
  });
});
