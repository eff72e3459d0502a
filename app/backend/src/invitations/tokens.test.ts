import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptUrl, invitationStatus, newOneTimeToken, resetUrl, TOKEN_PATTERN } from './tokens.ts';

test('one-time tokens are long, URL-safe and different every time', () => {
  const a = newOneTimeToken();
  const b = newOneTimeToken();
  assert.notEqual(a, b);
  assert.equal(a.length, 43);
  assert.match(a, TOKEN_PATTERN);
});

test('links point at the web app, without a doubled slash', () => {
  assert.equal(acceptUrl('https://pms.example.com/', 'abc'), 'https://pms.example.com/invite/abc');
  assert.equal(resetUrl('http://x:3000', 't'), 'http://x:3000/reset-password/t');
});

test('invitation status: revoked and accepted win over expired', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  const past = new Date('2026-01-01T00:00:00Z');
  const future = new Date('2026-01-03T00:00:00Z');
  assert.equal(invitationStatus({ expiresAt: future }, now), 'pending');
  assert.equal(invitationStatus({ expiresAt: past }, now), 'expired');
  assert.equal(invitationStatus({ expiresAt: new Date(now) }, now), 'expired');
  assert.equal(invitationStatus({ expiresAt: past, revokedAt: past }, now), 'revoked');
  assert.equal(invitationStatus({ expiresAt: past, acceptedAt: past }, now), 'accepted');
});

test('link lifetimes read naturally in e-mails', async () => {
  const { describeTtl } = await import('./mail.ts');
  assert.equal(describeTtl(168 * 3600_000), '7 days');
  assert.equal(describeTtl(36 * 3600_000), '36 hours');
  assert.equal(describeTtl(3600_000), '1 hour');
  assert.equal(describeTtl(30 * 60_000), '30 minutes');
  assert.equal(describeTtl(90 * 60_000), '90 minutes');
});
