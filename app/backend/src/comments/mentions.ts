// @mentions in markdown comments: `@ada@example.com` (an email) or `@ada` (a handle: the first
// name or the name with spaces removed, case-insensitive). Code spans and fenced blocks are
// ignored so that pasted code does not notify anyone.

export function extractMentions(body: string): string[] {
  const text = body.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const out = new Set<string>();
  const re =
    /(^|[^\w@.])@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|[A-Za-z0-9][A-Za-z0-9._-]{0,63})/g;
  for (const m of text.matchAll(re)) {
    const token = (m[2] ?? '').replace(/[._-]+$/, '').toLowerCase();
    if (token) out.add(token);
  }
  return [...out];
}

export interface MentionCandidate {
  id: string;
  name: string;
  email: string;
}

export function handlesOf(u: MentionCandidate): string[] {
  const name = u.name.toLowerCase();
  return [
    u.email.toLowerCase(),
    name.replace(/\s+/g, ''),
    name.split(/\s+/)[0] ?? '',
    u.email.toLowerCase().split('@')[0] ?? '',
  ].filter(Boolean);
}

/** The ids of the candidates that a comment mentions. */
export function resolveMentions(body: string, candidates: MentionCandidate[]): string[] {
  const tokens = new Set(extractMentions(body));
  if (tokens.size === 0) return [];
  return candidates.filter((u) => handlesOf(u).some((h) => tokens.has(h))).map((u) => u.id);
}
