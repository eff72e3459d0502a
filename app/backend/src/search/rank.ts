// Ranking of search candidates, pure. Order: the task whose key was typed; then more distinct
// query words matched; then where they matched (title > description > comments, a whole word a
// little above a prefix, the whole query as a phrase in the title above scattered words); then
// the most recently updated; then the id (a stable order for pagination).
import { lookupTerm, words } from './text.ts';

export type Field = 'key' | 'title' | 'description' | 'comment';

export interface Candidate {
  id: string;
  title: string;
  description: string;
  updatedAt: Date;
  /** The task's index terms (title, description and comments). */
  terms: ReadonlySet<string>;
  keyMatch: boolean;
}

export interface Ranked {
  id: string;
  matched: number;
  score: number;
  fields: Field[];
  updatedAt: Date;
  keyMatch: boolean;
}

const WEIGHT = { title: 100, description: 10, comment: 3 } as const;
const WHOLE_WORD_BONUS = 0.2; // of the field's weight
const PHRASE_BONUS = 50;

function bestIn(foldedWords: readonly string[], term: string): 'none' | 'prefix' | 'word' {
  let found: 'none' | 'prefix' = 'none';
  for (const w of foldedWords) {
    if (w === term) return 'word';
    if (found === 'none' && w.startsWith(term)) found = 'prefix';
  }
  return found;
}

export function scoreCandidate(c: Candidate, terms: readonly string[]): Ranked {
  const title = words(c.title).map((w) => w.folded);
  const description = words(c.description).map((w) => w.folded);
  const fields = new Set<Field>();
  if (c.keyMatch) fields.add('key');
  let matched = 0;
  let score = 0;
  for (const t of terms) {
    const inTitle = bestIn(title, t);
    const inDescription = inTitle === 'none' ? bestIn(description, t) : 'none';
    let field: Exclude<Field, 'key'> | null = null;
    let how: 'prefix' | 'word' = 'prefix';
    if (inTitle !== 'none') [field, how] = ['title', inTitle];
    else if (inDescription !== 'none') [field, how] = ['description', inDescription];
    // Not in the title or description but in the task's terms: it came from a comment.
    else if (c.terms.has(lookupTerm(t))) field = 'comment';
    if (!field) continue;
    matched++;
    fields.add(field);
    score += WEIGHT[field] * (how === 'word' ? 1 + WHOLE_WORD_BONUS : 1);
  }
  // The query's words in order, as whole words or a last prefix ("login bu" → "Login bug").
  if (terms.length > 1 && ` ${title.join(' ')}`.includes(` ${terms.join(' ')}`))
    score += PHRASE_BONUS;
  return {
    id: c.id,
    matched,
    score,
    fields: [...fields],
    updatedAt: c.updatedAt,
    keyMatch: c.keyMatch,
  };
}

export function compareRanked(a: Ranked, b: Ranked): number {
  return (
    Number(b.keyMatch) - Number(a.keyMatch) ||
    b.matched - a.matched ||
    b.score - a.score ||
    b.updatedAt.getTime() - a.updatedAt.getTime() ||
    (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
  );
}

/** Scores and orders candidates; those matching no word (and not the key) are dropped. */
export function rank(candidates: readonly Candidate[], terms: readonly string[]): Ranked[] {
  return candidates
    .map((c) => scoreCandidate(c, terms))
    .filter((r) => r.keyMatch || r.matched > 0)
    .sort(compareRanked);
}
