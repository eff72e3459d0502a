import { segments, type Range } from '@/lib/search.ts';
import type { SearchHit } from './types.ts';

/** Text with its matches in <mark>: React text nodes only, never HTML from the server. */
export function Highlighted({ text, ranges }: { text: string; ranges: readonly Range[] }) {
  return (
    <>
      {segments(text, ranges).map((s, i) =>
        s.mark ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>,
      )}
    </>
  );
}

/** One result: key, highlighted title, project, and where else it matched. */
export function HitBody({ hit, compact }: { hit: SearchHit; compact?: boolean }) {
  const keyMatch = hit.matchedIn.includes('key');
  return (
    <>
      <span className="search-hit-line">
        <span className="search-hit-key">
          {keyMatch ? <mark>{hit.task.key}</mark> : hit.task.key}
        </span>
        <span className="search-hit-title">
          <Highlighted text={hit.title.text} ranges={hit.title.highlights} />
        </span>
        {compact ? null : (
          <span className="search-hit-project muted small">{hit.task.projectName}</span>
        )}
      </span>
      {hit.snippet ? (
        <span className="search-hit-snippet muted small">
          <span className="search-hit-field">
            {hit.snippet.field === 'comment'
              ? `${hit.snippet.authorName || 'Comment'}:`
              : 'Description:'}
          </span>{' '}
          <Highlighted text={hit.snippet.text} ranges={hit.snippet.highlights} />
        </span>
      ) : null}
    </>
  );
}
