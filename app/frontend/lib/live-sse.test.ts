import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSseParser } from './live-sse.ts';

describe('createSseParser', () => {
  it('parses id, event and multi-line data, and keeps the last id', () => {
    const p = createSseParser();
    const out = p.push('retry: 3000\n\nid: 1\nevent: project\ndata: {"a":\ndata: 1}\n\n');
    assert.deepEqual(out, [{ event: 'project', data: '{"a":\n1}', lastEventId: '1' }]);
    assert.equal(p.retry, 3000);
    const next = p.push('event: user\ndata: {}\n\n');
    assert.deepEqual(next, [{ event: 'user', data: '{}', lastEventId: '1' }], 'id carries over');
  });

  it('joins events split across chunks, including a CRLF split between \\r and \\n', () => {
    const p = createSseParser('7');
    assert.deepEqual(p.push('data: hel'), []);
    assert.deepEqual(p.push('lo\r'), []);
    assert.deepEqual(p.push('\n\r\n'), [{ event: 'message', data: 'hello', lastEventId: '7' }]);
  });

  it('counts comments (heartbeats) and skips events without data', () => {
    const p = createSseParser();
    assert.deepEqual(p.push(': heartbeat\n\nevent: nothing\n\nid: 9\n\n'), []);
    assert.equal(p.comments, 1);
    assert.deepEqual(p.push('data: x\n\n'), [{ event: 'message', data: 'x', lastEventId: '9' }]);
  });

  it('reads a field without a space after the colon and ignores unknown fields and bad retry', () => {
    const p = createSseParser();
    assert.deepEqual(p.push('data:x\nfoo: bar\nretry: soon\n\n'), [
      { event: 'message', data: 'x', lastEventId: '' },
    ]);
    assert.equal(p.retry, null);
  });
});
