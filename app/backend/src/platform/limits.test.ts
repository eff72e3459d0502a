import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitPolicy } from './limits.ts';

const config = {
  RATE_LIMIT_WINDOW: 900_000,
  RATE_LIMIT_MAX: 1000,
  RATE_LIMIT_WRITE_MAX: 300,
  RATE_LIMIT_AUTH_MAX: 200,
};
const req = (method: string, path: string) => ({ method, path, ip: '10.1.2.3' });

test('reads, writes and credential endpoints have their own budgets', () => {
  const u = 'a'.repeat(24);
  assert.deepEqual(limitPolicy(req('GET', '/projects/X/board'), config, u), {
    name: 'read',
    subject: u,
    max: 1000,
    windowMs: 900_000,
  });
  assert.equal(limitPolicy(req('PATCH', '/projects/X/tasks/1'), config, u).name, 'write');
  assert.equal(limitPolicy(req('POST', '/auth/password'), config, u).name, 'write');
  for (const p of ['/auth/login', '/auth/refresh', '/auth/register', '/auth/logout']) {
    const pol = limitPolicy(req('POST', p), config, u);
    assert.equal(pol.name, 'auth');
    assert.equal(pol.subject, 'ip:10.1.2.3', 'credential endpoints are charged per IP');
  }
  assert.equal(limitPolicy(req('GET', '/auth/config'), config, undefined).subject, 'ip:10.1.2.3');
});
