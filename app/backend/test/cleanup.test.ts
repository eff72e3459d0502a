// The worker's periodic clean-up (FerretDB v1 has no TTL indexes) against the real services.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Types } from 'mongoose';
import { Attachment } from '../src/attachments/model.ts';
import { RefreshClaim, RefreshToken } from '../src/auth/model.ts';
import { runCleanup } from '../src/jobs/cleanup.ts';
import { Notification } from '../src/notifications/model.ts';
import { ApiToken } from '../src/tokens/model.ts';
import { startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness('cleanup');
});
after(async () => {
  await h.close();
});

test('expired tokens, stale uploads (and their objects) and old read notifications go', async () => {
  const day = 86400_000;
  const now = new Date();
  const old = new Date(now.getTime() - 2 * day);
  const uid = new Types.ObjectId();
  const pid = new Types.ObjectId();
  const tid = new Types.ObjectId();
  await RefreshToken.create([
    { userId: uid, familyId: 'a', tokenHash: 'expired', expiresAt: old },
    { userId: uid, familyId: 'b', tokenHash: 'live', expiresAt: new Date(now.getTime() + day) },
  ]);
  await RefreshClaim.create({ _id: 'expired', expiresAt: old });
  await ApiToken.create([
    { userId: uid, name: 'old', tokenHash: 'x1', prefix: 'pms_x1', expiresAt: old },
    { userId: uid, name: 'forever', tokenHash: 'x2', prefix: 'pms_x2', expiresAt: null },
  ]);
  await h.deps.storage.put('stale-key', Buffer.from('abc'), 3, 'text/plain');
  await Attachment.create([
    {
      projectId: pid,
      taskId: tid,
      key: 'stale-key',
      filename: 'a',
      contentType: 'text/plain',
      size: 3,
      status: 'pending',
      uploadedBy: uid,
      createdAt: old,
    },
    {
      projectId: pid,
      taskId: tid,
      key: 'fresh-key',
      filename: 'b',
      contentType: 'text/plain',
      size: 3,
      status: 'pending',
      uploadedBy: uid,
      createdAt: now,
    },
  ]);
  const base = {
    userId: uid,
    type: 'mention',
    projectId: pid,
    taskId: tid,
    taskKey: 'X-1',
    actorId: uid,
    message: 'm',
  };
  await Notification.create([
    { ...base, read: true, createdAt: new Date(now.getTime() - 100 * day) },
    { ...base, read: false, createdAt: new Date(now.getTime() - 100 * day) },
    { ...base, read: true, createdAt: now },
  ]);

  const r = await runCleanup(h.deps.storage, now);
  assert.deepEqual(r, { refreshTokens: 1, apiTokens: 1, pendingAttachments: 1, notifications: 1 });
  assert.deepEqual(
    (await RefreshToken.find().lean()).map((t) => t.tokenHash),
    ['live'],
  );
  assert.equal(await RefreshClaim.countDocuments(), 0);
  assert.deepEqual(
    (await ApiToken.find().lean()).map((t) => t.name),
    ['forever'],
  );
  assert.deepEqual(
    (await Attachment.find().lean()).map((a) => a.key),
    ['fresh-key'],
  );
  assert.equal(await h.deps.storage.head('stale-key'), null, 'object removed from S3');
  assert.equal(await Notification.countDocuments(), 2);
  // Idempotent.
  assert.deepEqual(await runCleanup(h.deps.storage, now), {
    refreshTokens: 0,
    apiTokens: 0,
    pendingAttachments: 0,
    notifications: 0,
  });
});
