import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { createSyncer, listenForChanges } from './indexer.ts';
import { ZSearchQuery, ZSearchResults } from './schemas.ts';
import { search } from './service.ts';

export function searchRoutes(api: Api, deps: Deps): void {
  listenForChanges(deps);
  const syncer = createSyncer();
  api.op(
    {
      method: 'get',
      path: '/search',
      summary: 'Search tasks and comments in every project the caller can see (ranked)',
      tag: 'search',
      auth: 'user',
      query: ZSearchQuery,
      response: ZSearchResults,
    },
    async ({ user, query }) => search(user, query, syncer),
  );
}
