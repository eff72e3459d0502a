import assert from 'node:assert/strict';
import { it } from 'node:test';
import { matchesSelector } from './selector.ts';

const labels = { app: 'web', tier: 'front' };

it('matches everything with an empty selector', () => {
  assert.ok(matchesSelector({}, labels));
  assert.ok(matchesSelector({}, {}));
});

it('needs every matchLabel and every expression', () => {
  assert.ok(matchesSelector({ matchLabels: { app: 'web' } }, labels));
  assert.ok(!matchesSelector({ matchLabels: { app: 'web', tier: 'back' } }, labels));
  assert.ok(
    !matchesSelector(
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] },
      labels,
    ),
  );
});

it('implements In, NotIn, Exists and DoesNotExist', () => {
  const m = (operator: string, key: string, values?: string[]) =>
    matchesSelector({ matchExpressions: [{ key, operator, values }] }, labels);
  assert.ok(m('In', 'app', ['api', 'web']));
  assert.ok(!m('In', 'app', ['api']));
  assert.ok(!m('In', 'missing', ['web']));
  assert.ok(m('NotIn', 'app', ['api']));
  assert.ok(!m('NotIn', 'app', ['web']));
  assert.ok(m('NotIn', 'missing', ['web']), 'a missing label is not in any set');
  assert.ok(m('Exists', 'tier'));
  assert.ok(!m('Exists', 'missing'));
  assert.ok(m('DoesNotExist', 'missing'));
  assert.ok(!m('DoesNotExist', 'tier'));
  assert.ok(!m('Bogus', 'app', ['web']));
});
