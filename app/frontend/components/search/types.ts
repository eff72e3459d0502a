import type { Range } from '@/lib/search.ts';

/** GET /search result (see the API's Search section). */
export interface SearchHit {
  task: {
    id: string;
    key: string;
    number: number;
    projectId: string;
    projectKey: string;
    projectName: string;
    priority: string;
    updatedAt: string;
  };
  matchedIn: ('key' | 'title' | 'description' | 'comment')[];
  title: { text: string; highlights: Range[] };
  snippet:
    | { field: 'description'; text: string; highlights: Range[] }
    | { field: 'comment'; text: string; highlights: Range[]; authorName: string; commentId: string }
    | null;
}

export interface SearchResult {
  items: SearchHit[];
  nextCursor: string | null;
  total: number;
  capped: boolean;
}
