// Same-origin gateway to the backend API: /api/v1/* is streamed to BACKEND_URL unchanged
// (method, headers, cookies, raw body for uploads), so the refresh cookie and CORS stay simple.
// The target is read from the environment at run time, not frozen into the build.
import { forward } from '@/lib/server/proxy.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = forward;
export const HEAD = forward;
export const POST = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;
export const OPTIONS = forward;
