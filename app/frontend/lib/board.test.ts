import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyMove,
  compareRank,
  directionForKey,
  dropTarget,
  isNoop,
  keyboardTarget,
  sortByRank,
  type BoardColumn,
} from './board.ts';

const board = (): BoardColumn[] => [
  { stateId: 'todo', taskIds: ['a', 'b', 'c'] },
  { stateId: 'doing', taskIds: ['d'] },
  { stateId: 'done', taskIds: [] },
];

describe('compareRank / sortByRank', () => {
  it('sorts by code units, not locale', () => {
    const tasks = [{ rank: 'a' }, { rank: 'B' }, { rank: '0|hzzzzz:' }, { rank: 'Z' }];
    assert.deepEqual(
      sortByRank(tasks).map((t) => t.rank),
      ['0|hzzzzz:', 'B', 'Z', 'a'],
    );
    assert.equal(compareRank('x', 'x'), 0);
  });
});

describe('dropTarget', () => {
  it('drops before a card in another column', () => {
    assert.deepEqual(dropTarget(board(), 'a', 'doing', 'd'), { stateId: 'doing', index: 0 });
  });
  it('drops at the end of an empty column', () => {
    assert.deepEqual(dropTarget(board(), 'a', 'done', null), { stateId: 'done', index: 0 });
  });
  it('accounts for the card leaving its own column when moving down', () => {
    // a is at 0; dropping it before c puts it at index 1 once it has left index 0.
    assert.deepEqual(dropTarget(board(), 'a', 'todo', 'c'), { stateId: 'todo', index: 1 });
    assert.deepEqual(dropTarget(board(), 'a', 'todo', null), { stateId: 'todo', index: 2 });
  });
  it('moves up within a column', () => {
    assert.deepEqual(dropTarget(board(), 'c', 'todo', 'a'), { stateId: 'todo', index: 0 });
  });
  it('dropping a card onto itself keeps its place', () => {
    const t = dropTarget(board(), 'b', 'todo', 'b');
    assert.deepEqual(t, { stateId: 'todo', index: 1 });
    assert.ok(t && isNoop(board(), 'b', t));
  });
  it('unknown column gives null', () => {
    assert.equal(dropTarget(board(), 'a', 'nope', null), null);
  });
});

describe('applyMove', () => {
  it('moves across columns without touching the input', () => {
    const before = board();
    const after = applyMove(before, 'b', { stateId: 'doing', index: 1 });
    assert.deepEqual(after[0]?.taskIds, ['a', 'c']);
    assert.deepEqual(after[1]?.taskIds, ['d', 'b']);
    assert.deepEqual(before[0]?.taskIds, ['a', 'b', 'c']);
  });
  it('re-orders inside a column and matches the API index semantics', () => {
    const cols = board();
    const t = dropTarget(cols, 'a', 'todo', 'c');
    assert.ok(t);
    assert.deepEqual(applyMove(cols, 'a', t)[0]?.taskIds, ['b', 'a', 'c']);
  });
  it('clamps an index past the end', () => {
    assert.deepEqual(applyMove(board(), 'a', { stateId: 'done', index: 99 })[2]?.taskIds, ['a']);
  });
  it('ignores unknown cards and columns', () => {
    assert.deepEqual(applyMove(board(), 'zz', { stateId: 'done', index: 0 }), board());
    assert.deepEqual(applyMove(board(), 'a', { stateId: 'zz', index: 0 }), board());
  });
  it('isNoop detects a move to the same place', () => {
    assert.equal(isNoop(board(), 'a', { stateId: 'todo', index: 0 }), true);
    assert.equal(isNoop(board(), 'a', { stateId: 'todo', index: 1 }), false);
    assert.equal(isNoop(board(), 'a', { stateId: 'doing', index: 0 }), false);
  });
});

describe('keyboardTarget', () => {
  it('moves up and down within bounds', () => {
    assert.deepEqual(keyboardTarget(board(), 'b', 'up'), { stateId: 'todo', index: 0 });
    assert.deepEqual(keyboardTarget(board(), 'b', 'down'), { stateId: 'todo', index: 2 });
    assert.equal(keyboardTarget(board(), 'a', 'up'), null);
    assert.equal(keyboardTarget(board(), 'c', 'down'), null);
  });
  it('moves to the neighbouring column keeping the row where possible', () => {
    assert.deepEqual(keyboardTarget(board(), 'c', 'right'), { stateId: 'doing', index: 1 });
    assert.deepEqual(keyboardTarget(board(), 'd', 'right'), { stateId: 'done', index: 0 });
    assert.deepEqual(keyboardTarget(board(), 'd', 'left'), { stateId: 'todo', index: 0 });
    assert.equal(keyboardTarget(board(), 'a', 'left'), null);
  });
  it('top and bottom', () => {
    assert.deepEqual(keyboardTarget(board(), 'c', 'top'), { stateId: 'todo', index: 0 });
    assert.deepEqual(keyboardTarget(board(), 'a', 'bottom'), { stateId: 'todo', index: 2 });
    assert.equal(keyboardTarget(board(), 'd', 'top'), null);
  });
  it('maps Alt+keys only', () => {
    assert.equal(directionForKey('ArrowLeft', true), 'left');
    assert.equal(directionForKey('End', true), 'bottom');
    assert.equal(directionForKey('ArrowLeft', false), null);
    assert.equal(directionForKey('x', true), null);
  });
});
