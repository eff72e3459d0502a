import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIGRATIONS } from './list.ts';
import { checkMigrationList, planMigrations } from './plan.ts';

const m = (...ids: string[]) => ids.map((id) => ({ id }));

describe('migration plan', () => {
  it('the shipped list is ordered, unique and well named', () => {
    assert.doesNotThrow(() => checkMigrationList(MIGRATIONS));
    assert.ok(MIGRATIONS.length >= 2);
  });

  it('rejects duplicates, disorder and bad ids', () => {
    assert.throws(() => checkMigrationList(m('0001-a', '0001-a')), /not after/);
    assert.throws(() => checkMigrationList(m('0002-a', '0001-b')), /not after/);
    assert.throws(() => checkMigrationList(m('1-a')), /NNNN-kebab-name/);
    assert.throws(() => checkMigrationList(m('0001-A')), /NNNN-kebab-name/);
  });

  it('pending in list order, unknown ids reported (a newer database)', () => {
    const p = planMigrations(m('0001-a', '0002-b', '0003-c'), ['0002-b', '0009-z', '0004-d']);
    assert.deepEqual(
      p.pending.map((x) => x.id),
      ['0001-a', '0003-c'],
    );
    assert.deepEqual(p.applied, ['0002-b']);
    assert.deepEqual(p.unknown, ['0004-d', '0009-z']);
  });

  it('a fresh database: everything pending, nothing unknown', () => {
    const p = planMigrations(m('0001-a', '0002-b'), []);
    assert.equal(p.pending.length, 2);
    assert.deepEqual(p.unknown, []);
  });
});
