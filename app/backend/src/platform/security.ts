// Request guards: NoSQL operator injection and maintenance mode.
import type { RequestHandler } from 'express';
import { AppError, badRequest } from './errors.ts';

/** Finds the first key that could smuggle a MongoDB operator or path ($-prefixed, dotted). */
export function findUnsafeKey(value: unknown, path = '', depth = 0): string | null {
  if (depth > 32) return path || '(root)';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnsafeKey(value[i], `${path}[${i}]`, depth + 1);
      if (hit !== null) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (k.startsWith('$') || k.includes('.') || k.includes('[$') || k === '__proto__') return p;
      const hit = findUnsafeKey(v, p, depth + 1);
      if (hit !== null) return hit;
    }
  }
  return null;
}

export const rejectOperatorInjection: RequestHandler = (req, _res, next) => {
  const q = findUnsafeKey(req.query);
  if (q !== null)
    return next(
      badRequest('Operator keys are not allowed', [
        { path: `query.${q}`, message: 'forbidden key' },
      ]),
    );
  const b = findUnsafeKey(req.body);
  if (b !== null)
    return next(
      badRequest('Operator keys are not allowed', [
        { path: `body.${b}`, message: 'forbidden key' },
      ]),
    );
  next();
};

export function maintenanceMode(enabled: () => boolean): RequestHandler {
  return (_req, res, next) => {
    if (!enabled()) return next();
    res.setHeader('Retry-After', '120');
    next(new AppError('maintenance', 'The service is under maintenance, try again later'));
  };
}
