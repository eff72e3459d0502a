import { config } from '@/lib/server/config.ts';
import { metrics } from '@/lib/server/metrics.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  if (!config().ENABLE_METRICS) {
    return Response.json(
      { error: 'not_found', message: 'Metrics are disabled' },
      { status: 404, headers: { 'cache-control': 'no-store' } },
    );
  }
  const { registry } = metrics();
  return new Response(await registry.metrics(), {
    headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
  });
}
