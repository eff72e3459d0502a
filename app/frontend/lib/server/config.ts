// The only reader of the frontend's environment. Parsed once, on first use, with zod; a bad
// value fails with one line per variable.
import 'server-only';
import { z } from 'zod';

const ZConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  BACKEND_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. http://pms-backend:4000' })
    .default('http://localhost:4000')
    .transform((u) => u.replace(/\/+$/, '')),
  API_VERSION: z
    .string()
    .regex(/^v\d+$/)
    .default('v1'),
  BACKEND_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(120_000),
  ENABLE_METRICS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
});

export type TConfig = z.infer<typeof ZConfigSchema>;

let cached: TConfig | null = null;

export function parseConfig(env: Record<string, string | undefined>): TConfig {
  const blanked = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = ZConfigSchema.safeParse(blanked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid frontend configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function config(): TConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
