// @mentions in the comment box: which word the caret is in, and inserting a chosen member.

export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  /** Text typed after the `@` up to the caret. */
  query: string;
}

/** The mention being typed at `caret`, or null. `@` must start the text or follow whitespace. */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([\w.+-]*)$/.exec(before);
  if (!m) return null;
  const query = m[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Replaces the mention being typed with `@handle ` and returns the new text and caret. */
export function insertMention(
  text: string,
  q: MentionQuery,
  caret: number,
  handle: string,
): { text: string; caret: number } {
  const insert = `@${handle} `;
  const after = text.slice(caret).replace(/^[\w.+-]*/, '');
  const next = text.slice(0, q.start) + insert + after.replace(/^ /, '');
  return { text: next, caret: q.start + insert.length };
}

/** Members whose name or email contains the query (case-insensitive), best matches first. */
export function matchMembers<T extends { name: string; email: string }>(
  members: readonly T[],
  query: string,
  limit = 6,
): T[] {
  const q = query.toLowerCase();
  return members
    .map((m) => {
      const name = m.name.toLowerCase();
      const email = m.email.toLowerCase();
      const score =
        name.startsWith(q) || email.startsWith(q)
          ? 0
          : name.includes(q) || email.includes(q)
            ? 1
            : 2;
      return { m, score };
    })
    .filter((x) => x.score < 2)
    .sort((a, b) => a.score - b.score || a.m.name.localeCompare(b.m.name))
    .slice(0, limit)
    .map((x) => x.m);
}

/**
 * What to type after `@` for a member: the name without spaces when that is a plain handle
 * (the API matches it case-insensitively), otherwise the email address, which always matches.
 */
export function mentionHandle(member: { name: string; email: string }): string {
  const compact = member.name.replace(/\s+/g, '');
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(compact) && !/[._-]$/.test(compact)
    ? compact
    : member.email;
}
