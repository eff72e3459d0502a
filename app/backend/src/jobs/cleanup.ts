// Periodic clean-ups. FerretDB v1 has no TTL indexes, so expiry is done here instead.
import { Attachment } from '../attachments/model.ts';
import { cleanupPeople } from '../invitations/cleanup.ts';
import { RefreshClaim, RefreshToken } from '../auth/model.ts';
import { Notification } from '../notifications/model.ts';
import type { Storage } from '../platform/s3.ts';
import { ApiToken } from '../tokens/model.ts';
import { TaskClaim } from '../tasks/model.ts';

export interface CleanupResult {
  refreshTokens: number;
  apiTokens: number;
  pendingAttachments: number;
  notifications: number;
}

export async function runCleanup(storage: Storage, now = new Date()): Promise<CleanupResult> {
  const day = 86400_000;
  const refreshTokens = (
    await RefreshToken.deleteMany({
      $or: [{ expiresAt: { $lt: now } }, { revokedAt: { $lt: new Date(now.getTime() - day) } }],
    })
  ).deletedCount;
  await RefreshClaim.deleteMany({ expiresAt: { $lt: now } });
  await cleanupPeople(now); // invitations, password-reset links and their claims
  // Task write claims left by a process that died mid-write (normally deleted at once).
  await TaskClaim.deleteMany({ at: { $lt: new Date(now.getTime() - 3_600_000) } });
  const apiTokens = (await ApiToken.deleteMany({ expiresAt: { $lt: now } })).deletedCount;
  // Presigned uploads never confirmed within a day: remove the object (if any) and the record.
  const stale = await Attachment.find({
    status: 'pending',
    createdAt: { $lt: new Date(now.getTime() - day) },
  }).lean();
  for (const a of stale) {
    await storage.remove(a.key);
    await Attachment.deleteOne({ _id: a._id });
  }
  const notifications = (
    await Notification.deleteMany({
      read: true,
      createdAt: { $lt: new Date(now.getTime() - 90 * day) },
    })
  ).deletedCount;
  return { refreshTokens, apiTokens, pendingAttachments: stale.length, notifications };
}
