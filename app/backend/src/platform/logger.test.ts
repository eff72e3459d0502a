import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from './logger.ts';

test('no log line shows the credentials of a URI, in the message, an error or any field', () => {
  const lines: string[] = [];
  const logger = createLogger('info', 'test', (l) => lines.push(l));
  const uri = 'mongodb://pms:Pa55wordXYZ@h1:27017,h2:27017/pms?replicaSet=rs0';
  logger.error({ err: new Error(`cannot connect to ${uri}`) }, 'mongodb failed');
  logger.warn({ err: 'connect redis://:Pa55wordXYZ@redis:6379 refused' }, 'redis error');
  logger.info({ config: { MONGODB_URI: uri } }, `using ${uri}`);
  assert.equal(lines.length, 3);
  for (const line of lines) {
    assert.ok(!line.includes('Pa55wordXYZ'), line);
    assert.match(line, /:\/\/\*\*\*@/);
  }
});
