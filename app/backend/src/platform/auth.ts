// Authentication middleware: resolves `Authorization: Bearer <jwt | pms_…>` into a Principal
// using a verifier supplied by the auth feature (platform never imports features).
import type { RequestHandler, Request } from 'express';
import { AppError, forbidden, unauthorized } from './errors.ts';

export interface Principal {
  userId: string;
  role: 'admin' | 'member';
  name: string;
  email: string;
  via: 'jwt' | 'api_token';
}

export type Verifier = (token: string) => Promise<Principal>;

export function bearer(req: Request): string | null {
  const h = req.get('authorization');
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m?.[1]) throw new AppError('unauthorized', 'Malformed Authorization header');
  return m[1];
}

/**
 * Attaches req.principal when valid credentials are present. Bad credentials are remembered and
 * reported (401) by routes that need a user, so public routes such as /auth/refresh still work
 * when the client sends along an expired access token.
 */
export function authenticate(verify: Verifier): RequestHandler {
  return async (req, _res, next) => {
    const r = req as { principal?: Principal; authError?: unknown };
    try {
      const token = bearer(req);
      if (token !== null) r.principal = await verify(token);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      r.authError = err;
    }
    next();
  };
}

export function principalOf(req: Request): Principal | undefined {
  return (req as { principal?: Principal }).principal;
}

export function requirePrincipal(req: Request, level: 'user' | 'admin'): Principal {
  const p = principalOf(req);
  if (!p) throw (req as { authError?: unknown }).authError ?? unauthorized();
  if (level === 'admin' && p.role !== 'admin') throw forbidden('Administrators only');
  return p;
}
