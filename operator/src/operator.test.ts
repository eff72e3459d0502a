import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ownerKeys } from './operator.ts';
import { DEFAULT_CONTROLLERS } from './controllers.ts';

const primary = {
  apiVersion: 'pms.io/v1alpha1',
  kind: 'PmsInstance',
  plural: 'pmsinstances',
  namespaced: true as const,
};

describe('ownerKeys', () => {
  const ref = (over: Record<string, unknown>) => ({
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    name: 'demo',
    uid: 'u',
    controller: true,
    ...over,
  });
  const child = (refs: unknown[]) => ({
    metadata: { name: 'demo-backend', namespace: 'tenant', ownerReferences: refs as never },
  });

  it('maps a child to its controlling owner of the primary kind', () => {
    assert.deepEqual(ownerKeys(child([ref({})]), primary), ['tenant/demo']);
  });

  it('matches the API group, not the version', () => {
    assert.deepEqual(ownerKeys(child([ref({ apiVersion: 'pms.io/v1' })]), primary), [
      'tenant/demo',
    ]);
    assert.deepEqual(ownerKeys(child([ref({ apiVersion: 'other.io/v1alpha1' })]), primary), []);
  });

  it('ignores non-controller references and other kinds', () => {
    assert.deepEqual(ownerKeys(child([ref({ controller: false })]), primary), []);
    assert.deepEqual(ownerKeys(child([ref({ controller: undefined })]), primary), []);
    assert.deepEqual(ownerKeys(child([ref({ kind: 'PmsBackup' })]), primary), []);
    assert.deepEqual(ownerKeys({ metadata: { name: 'x', namespace: 'tenant' } }, primary), []);
  });

  it('ignores cluster-scoped objects', () => {
    assert.deepEqual(
      ownerKeys({ metadata: { name: 'x', ownerReferences: [ref({})] } }, primary),
      [],
    );
  });
});

describe('DEFAULT_CONTROLLERS', () => {
  it('lists the PmsInstance, PmsBackup and PmsRestore controllers once each', () => {
    const controllers = DEFAULT_CONTROLLERS;
    const names = controllers.map((c) => c.name);
    assert.deepEqual([...names].sort(), ['pmsbackup', 'pmsinstance', 'pmsrestore']);
    assert.equal(new Set(names).size, names.length, 'names are unique');
    for (const c of controllers) {
      assert.equal(typeof c.reconcile, 'function');
      assert.ok(c.primary.plural && c.primary.kind && c.primary.apiVersion);
    }
  });
});
