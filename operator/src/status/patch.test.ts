import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusMergePatch } from './patch.ts';

describe('statusMergePatch', () => {
  it('is undefined when nothing differs (absent and null are the same)', () => {
    assert.equal(
      statusMergePatch({ phase: 'Ready', url: undefined }, { phase: 'Ready' }),
      undefined,
    );
    assert.equal(statusMergePatch(undefined, {}), undefined);
  });

  it('sends every field in full and null for what is gone, in nested maps too', () => {
    const prev = {
      phase: 'Ready',
      error: 'old',
      components: { backend: { ready: 1, desired: 1 }, redis: { ready: 1, desired: 1 } },
      conditions: [{ type: 'A' }, { type: 'B' }],
    };
    const next = {
      phase: 'Degraded',
      components: { backend: { ready: 0, desired: 1 } },
      conditions: [{ type: 'A' }],
    };
    assert.deepEqual(statusMergePatch(prev, next), {
      phase: 'Degraded',
      error: null,
      components: { backend: { ready: 0, desired: 1 }, redis: null },
      conditions: [{ type: 'A' }],
    });
  });

  it('touches only the owned fields when given', () => {
    const prev = { phase: 'Ready', other: 'theirs', lastBackup: { name: 'b', location: 'k' } };
    assert.deepEqual(
      statusMergePatch(prev, { phase: 'Ready', lastBackup: { name: 'c' } }, [
        'phase',
        'lastBackup',
        'url',
      ]),
      { phase: 'Ready', lastBackup: { name: 'c', location: null }, url: null },
    );
    assert.equal(
      statusMergePatch(prev, { phase: 'Ready', lastBackup: prev.lastBackup }, [
        'phase',
        'lastBackup',
      ]),
      undefined,
    );
  });
});
