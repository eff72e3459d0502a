// Personal API tokens: created with a random secret shown once, stored as a sha256 hash.
import { newApiToken, sha256 } from '../auth/tokens.ts';
import { notFound } from '../platform/errors.ts';
import { ApiToken, toApiToken } from './model.ts';

export async function listTokens(userId: string) {
  const items = await ApiToken.find({ userId }).sort({ createdAt: -1 }).lean();
  return items.map(toApiToken);
}

export async function createToken(
  userId: string,
  input: { name: string; expiresInDays?: number | undefined },
) {
  const token = newApiToken();
  const doc = await ApiToken.create({
    userId,
    name: input.name,
    tokenHash: sha256(token),
    prefix: token.slice(0, 10),
    expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86400_000) : null,
  });
  return { token, apiToken: toApiToken(doc.toObject()) };
}

export async function revokeToken(userId: string, id: string): Promise<void> {
  const r = await ApiToken.deleteOne({ _id: id, userId });
  if (r.deletedCount === 0) throw notFound('API token');
}
