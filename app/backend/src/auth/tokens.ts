// Pure helpers for opaque tokens: generation and hashing (sha256: the secrets are random, so a
// slow hash adds nothing).
import { createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'pms_';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

export const newApiToken = (): string =>
  `${API_TOKEN_PREFIX}${randomBytes(30).toString('base64url')}`;

export const isApiToken = (s: string): boolean => s.startsWith(API_TOKEN_PREFIX) && s.length > 20;
