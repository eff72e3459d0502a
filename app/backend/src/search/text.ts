// Search text handling, pure: folding (case, diacritics, compatibility forms), word splitting,
// the index terms of a document, query parsing, and highlight ranges in the ORIGINAL text (so
// the UI marks "Résumé" when the query was "resume"). Nothing here builds a regular expression
// from user input: queries become plain strings compared with startsWith/equality.

/** Shortest indexed prefix; one-letter words and queries are not searchable (too common). */
export const MIN_TERM = 2;
/** Longest indexed prefix: longer query words are looked up by their first MAX_PREFIX letters. */
export const MAX_PREFIX = 20;
/** Distinct words indexed per task (title first, then description, then comments). */
export const MAX_WORDS = 2000;
/** Words a query may have. */
export const MAX_QUERY_WORDS = 8;

const MARKS = /\p{M}/gu;
const NOT_WORD = /[^\p{L}\p{N}]/gu;
// Letters, digits and the combining marks that belong to them (decomposed input).
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** Lower case, diacritics removed, compatibility forms decomposed ("ﬁ" → "fi", "Å" → "a"). */
export function fold(s: string): string {
  // Lower-casing can itself produce combining marks ("İ" → "i̇"), so marks go after it.
  return s.normalize('NFKD').toLowerCase().normalize('NFKD').replace(MARKS, '');
}

/** A folded word reduced to letters and digits (NFKD may produce e.g. "⁄" from "½"). */
const clean = (s: string): string => fold(s).replace(NOT_WORD, '');

export interface Word {
  /** UTF-16 offsets of the word in the original text. */
  start: number;
  end: number;
  folded: string;
}

export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    const folded = clean(m[0]);
    if (folded) out.push({ start: m.index, end: m.index + m[0].length, folded });
  }
  return out;
}

/** Index terms of a task: every prefix (MIN_TERM..MAX_PREFIX letters) of every distinct word. */
export function indexTerms(texts: readonly string[]): string[] {
  const distinct = new Set<string>();
  outer: for (const text of texts)
    for (const w of words(text)) {
      if (w.folded.length < MIN_TERM) continue;
      distinct.add(w.folded.slice(0, MAX_PREFIX));
      if (distinct.size >= MAX_WORDS) break outer;
    }
  const terms = new Set<string>();
  for (const w of distinct) for (let n = MIN_TERM; n <= w.length; n++) terms.add(w.slice(0, n));
  return [...terms];
}

/** The index key of a query word. */
export const lookupTerm = (term: string): string => term.slice(0, MAX_PREFIX);

export type QueryProblem = 'no_words' | 'too_many_words';

export interface ParsedQuery {
  /** Distinct folded words, in query order. */
  terms: string[];
  /** `WEB-42`: jump to that task. */
  key: { project: string; number: number } | null;
}

const KEY = /^([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})$/;

export function parseQuery(q: string): ParsedQuery | QueryProblem {
  const trimmed = q.trim();
  const k = KEY.exec(trimmed);
  const key = k?.[1] && k[2] ? { project: k[1].toUpperCase(), number: Number(k[2]) } : null;
  const terms = [...new Set(words(trimmed).map((w) => w.folded))].filter(
    (t) => t.length >= MIN_TERM,
  );
  if (terms.length > MAX_QUERY_WORDS) return 'too_many_words';
  if (terms.length === 0 && !key) return 'no_words';
  return { terms, key };
}

export interface Range {
  start: number;
  end: number;
}

/** Length in the original word of the part whose folded form is `n` letters long. */
function originalPrefix(word: string, n: number): number {
  let i = 0;
  let acc = '';
  for (const ch of word) {
    acc += ch;
    i += ch.length;
    if (clean(acc).length >= n) break;
  }
  // Keep the combining marks of the last letter with it.
  while (i < word.length && /\p{M}/u.test(word[i] ?? '')) i++;
  return i;
}

/**
 * Ranges of `text` matched by the query terms: each word that starts with a term is marked for
 * the length of the longest such term (prefix search marks "deploy" in "deployment").
 */
export function highlight(text: string, terms: readonly string[]): Range[] {
  const out: Range[] = [];
  if (terms.length === 0) return out;
  for (const w of words(text)) {
    let best = 0;
    for (const t of terms) if (t.length > best && w.folded.startsWith(t)) best = t.length;
    if (best === 0) continue;
    const len =
      best >= w.folded.length ? w.end - w.start : originalPrefix(text.slice(w.start, w.end), best);
    out.push({ start: w.start, end: w.start + len });
  }
  return out;
}

export interface Snippet {
  text: string;
  highlights: Range[];
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ');

/**
 * A short excerpt of `text` around its first match (whitespace collapsed, "…" where cut), with
 * the highlight ranges relative to the excerpt. Null when nothing in the text matches.
 */
export function snippet(text: string, terms: readonly string[], width = 180): Snippet | null {
  const first = highlight(text, terms)[0];
  if (!first) return null;
  let start = Math.max(0, first.start - Math.floor(width / 6));
  // Start at a word boundary rather than inside a word.
  if (start > 0) {
    const ws = text.slice(start, first.start).search(/\s/);
    if (ws >= 0) start += ws + 1;
  }
  const end = Math.min(text.length, start + width);
  const body = collapse(text.slice(start, end)).trim();
  const out = `${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
  return { text: out, highlights: highlight(out, terms) };
}
