// Liveness: the Next server is up. No dependency checks (the backend has its own /ready).
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
