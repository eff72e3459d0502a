import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffMs,
  projectKeyOf,
  streamPath,
  touchesTask,
  touchesTasks,
  type LiveProjectEvent,
} from './live.ts';

const ev = (type: string, taskId: string | null = 't1'): LiveProjectEvent => ({
  id: '1',
  projectId: 'p',
  taskId,
  type,
  actorId: 'u',
  actorName: 'U',
  changes: [],
  at: '2026-11-30T00:00:00.000Z',
});

describe('live helpers', () => {
  it('picks the project stream on project pages, else the user stream', () => {
    assert.equal(projectKeyOf('/projects/WEB/board'), 'WEB');
    assert.equal(projectKeyOf('/projects/WEB'), 'WEB');
    assert.equal(projectKeyOf('/projects'), null);
    assert.equal(streamPath('/projects/WEB/tasks/3'), '/projects/WEB/events');
    assert.equal(streamPath('/notifications'), '/me/events');
  });

  it('backs off exponentially from the server retry, capped at 30 s, with jitter', () => {
    assert.equal(backoffMs(0, 3000, 0.5), 3000);
    assert.equal(backoffMs(2, 3000, 0.5), 12000);
    assert.equal(backoffMs(10, 3000, 0.5), 15000);
    assert.equal(backoffMs(0, 3000, 0), 2250);
    assert.equal(backoffMs(0, 3000, 1), 3750);
  });

  it('routes events to the screens they change', () => {
    assert.ok(touchesTasks(ev('task.moved')));
    assert.ok(touchesTasks(ev('project.updated', null)));
    assert.ok(!touchesTasks(ev('comment.created')));
    assert.ok(touchesTask(ev('comment.created'), 't1'));
    assert.ok(!touchesTask(ev('comment.created'), 't2'));
  });
});
