// Pure helpers for opaque tokens: generation and hashing (sha256: the secrets are random, so a
// slow hash adds nothing).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'pms_';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

export const newApiToken = (): string =>
  `${API_TOKEN_PREFIX}${randomBytes(30).toString('base64url')}`;

export const isApiToken = (s: string): boolean => s.startsWith(API_TOKEN_PREFIX) && s.length > 20;

// A rotated refresh token remembers its successor for the grace window (concurrent tabs get the
// same one). It is stored sealed (AES-256-GCM, key derived from the JWT secret), so the database
// alone never yields a usable refresh token.
const sealKey = (secret: Uint8Array) =>
  createHash('sha256').update('pms refresh successor\0').update(secret).digest();

export function sealToken(token: string, secret: Uint8Array): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(secret), iv);
  const body = Buffer.concat([c.update(token, 'utf8'), c.final()]);
  return [iv, c.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

/** Null when the value was not sealed with this secret (or was tampered with). */
export function openToken(sealed: string, secret: Uint8Array): string | null {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', sealKey(secret), iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}
