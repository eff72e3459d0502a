// Password hashing: argon2id with the OWASP parameters for new hashes; a user whose hash was
// written by the bcrypt era still signs in and leaves with an argon2id hash.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { User } from '../src/users/model.ts';
import { ADMIN, Client, startHarness, type Harness } from './helpers.ts';

let h: Harness;
let admin: Client;
before(async () => {
  h = await startHarness('password-hash');
  admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
});
after(async () => {
  await h.close();
});

const OWASP = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;
const hashOf = async (email: string) =>
  (await User.findOne({ email }).lean())?.passwordHash as string;

test('new passwords are stored as argon2id (m=19 MiB, t=2, p=1)', async () => {
  assert.match(await hashOf(ADMIN.email), OWASP, 'the bootstrap admin');
  const r = await admin.post('/api/v1/users', {
    name: 'Nia',
    email: 'nia@example.com',
    password: 'password-123',
  });
  assert.equal(r.status, 201);
  assert.match(await hashOf('nia@example.com'), OWASP);
  await new Client(h.url).login('nia@example.com', 'password-123');
});

test('a bcrypt hash still verifies and is upgraded to argon2id at the next login', async () => {
  const r = await admin.post('/api/v1/users', {
    name: 'Old Timer',
    email: 'old@example.com',
    password: 'placeholder-1',
  });
  assert.equal(r.status, 201);
  // As written by the bcryptjs versions of the API (cost 12 in production; 10 keeps it short).
  const legacy = await bcrypt.hash('legacy-password-1', 10);
  await User.updateOne({ email: 'old@example.com' }, { $set: { passwordHash: legacy } });

  const c = new Client(h.url);
  const wrong = await c.post('/api/v1/auth/login', {
    email: 'old@example.com',
    password: 'not-the-password',
  });
  assert.equal(wrong.status, 401);
  assert.equal(await hashOf('old@example.com'), legacy, 'a failed login changes nothing');

  await c.login('old@example.com', 'legacy-password-1');
  const upgraded = await hashOf('old@example.com');
  assert.match(upgraded, OWASP);
  // The new hash works, the old password still is the password.
  await new Client(h.url).login('old@example.com', 'legacy-password-1');
  assert.equal(await hashOf('old@example.com'), upgraded, 'an argon2id hash is not rewritten');
  const wrongAfter = await new Client(h.url).post('/api/v1/auth/login', {
    email: 'old@example.com',
    password: 'placeholder-1',
  });
  assert.equal(wrongAfter.status, 401);
});

test('changing a password verifies a bcrypt hash and stores argon2id', async () => {
  const r = await admin.post('/api/v1/users', {
    name: 'Pat',
    email: 'pat@example.com',
    password: 'placeholder-2',
  });
  assert.equal(r.status, 201);
  await User.updateOne(
    { email: 'pat@example.com' },
    { $set: { passwordHash: await bcrypt.hash('pat-old-password', 4) } },
  );
  const c = await new Client(h.url).login('pat@example.com', 'pat-old-password');
  // The login upgraded it already; put bcrypt back to exercise the change-password path.
  await User.updateOne(
    { email: 'pat@example.com' },
    { $set: { passwordHash: await bcrypt.hash('pat-old-password', 4) } },
  );
  const ch = await c.post('/api/v1/auth/password', {
    currentPassword: 'pat-old-password',
    newPassword: 'pat-new-password',
  });
  assert.equal(ch.status, 204, JSON.stringify(ch.body));
  assert.match(await hashOf('pat@example.com'), OWASP);
  await new Client(h.url).login('pat@example.com', 'pat-new-password');
});
