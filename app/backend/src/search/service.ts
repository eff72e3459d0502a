// Search across the projects the caller can see. Candidates come from the index (entries holding
// ALL the query's words first, then entries holding ANY, newest first, at most CANDIDATE_CAP);
// they are checked against the real tasks (a stale entry can hide a task, never show one the
// caller may not see), ranked in the app (rank.ts) and paginated by offset in that ranking.
import { createHash } from 'node:crypto';
import { Comment } from '../comments/model.ts';
import type { Principal } from '../platform/auth.ts';
import { badRequest } from '../platform/errors.ts';
import { Membership, Project, type TProjectDoc } from '../projects/model.ts';
import { Task, type TTaskDoc } from '../tasks/model.ts';
import type { createSyncer } from './indexer.ts';
import { SearchEntry } from './model.ts';
import { rank, type Candidate, type Field } from './rank.ts';
import { highlight, lookupTerm, parseQuery, snippet, type Range, type Snippet } from './text.ts';

/** Tasks ranked per query at most; beyond it the newest matching entries win (see README). */
export const CANDIDATE_CAP = 500;
/** Comments read to choose the snippets of one page. */
const SNIPPET_COMMENTS = 300;

export interface SearchInput {
  q: string;
  limit: number;
  cursor?: string | undefined;
}

export interface SearchHit {
  task: {
    id: string;
    key: string;
    number: number;
    projectId: string;
    projectKey: string;
    projectName: string;
    stateId: string;
    priority: string;
    updatedAt: Date;
  };
  matchedIn: Field[];
  title: { text: string; highlights: Range[] };
  snippet:
    | (Snippet & { field: 'description' })
    | (Snippet & { field: 'comment'; commentId: string; authorName: string })
    | null;
}

interface Visible {
  id: string;
  key: string;
  name: string;
}

/** Projects the caller can see: their memberships; instance admins see every project. */
export async function visibleProjects(user: Principal): Promise<Map<string, Visible>> {
  const filter =
    user.role === 'admin'
      ? {}
      : {
          _id: {
            $in: (await Membership.find({ userId: user.userId }, { projectId: 1 }).lean()).map(
              (m) => m.projectId,
            ),
          },
        };
  const projects = await Project.find(filter, { key: 1, name: 1 }).lean<TProjectDoc[]>();
  return new Map(
    projects.map((p) => [String(p._id), { id: String(p._id), key: p.key, name: p.name }]),
  );
}

const queryHash = (terms: readonly string[], raw: string) =>
  createHash('sha1')
    .update(JSON.stringify([terms, raw.trim()]))
    .digest('base64url')
    .slice(0, 10);

function decodeOffset(cursor: string, hash: string): number {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      c !== null &&
      typeof c === 'object' &&
      'o' in c &&
      'h' in c &&
      Number.isInteger(c.o) &&
      (c.o as number) >= 0 &&
      c.h === hash
    )
      return c.o as number;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('Invalid cursor', [
    { path: 'query.cursor', message: 'is not a cursor of this search' },
  ]);
}

const encodeOffset = (o: number, h: string) =>
  Buffer.from(JSON.stringify({ o, h })).toString('base64url');

/** Candidate entries (id + terms): those holding every query word, then those holding some. */
async function findCandidates(
  projectIds: string[],
  terms: string[],
): Promise<{ id: string; terms: string[] }[]> {
  if (terms.length === 0) return [];
  const lookups = [...new Set(terms.map(lookupTerm))];
  const find = async (match: Record<string, unknown>, exclude: string[]) =>
    (
      await SearchEntry.find(
        {
          projectId: { $in: projectIds },
          terms: match,
          ...(exclude.length ? { _id: { $nin: exclude } } : {}),
        },
        { terms: 1 },
      )
        .sort({ at: -1, _id: -1 })
        .limit(CANDIDATE_CAP - exclude.length)
        .lean()
    ).map((e) => ({ id: String(e._id), terms: e.terms }));
  const all = await find({ $all: lookups }, []);
  if (lookups.length === 1 || all.length >= CANDIDATE_CAP) return all;
  const some = await find(
    { $in: lookups },
    all.map((e) => e.id),
  );
  return [...all, ...some];
}

async function keyTask(
  key: { project: string; number: number } | null,
  visible: Map<string, Visible>,
): Promise<TTaskDoc | null> {
  if (!key) return null;
  const p = [...visible.values()].find((v) => v.key === key.project);
  if (!p) return null;
  return Task.findOne({ projectId: p.id, number: key.number }).lean<TTaskDoc>();
}

async function snippets(
  tasks: readonly TTaskDoc[],
  fieldsOf: Map<string, Field[]>,
  terms: string[],
): Promise<Map<string, SearchHit['snippet']>> {
  const out = new Map<string, SearchHit['snippet']>();
  const viaComments: TTaskDoc[] = [];
  for (const t of tasks) {
    const s = snippet(t.description, terms);
    if (s) out.set(String(t._id), { field: 'description', ...s });
    else if (fieldsOf.get(String(t._id))?.includes('comment')) viaComments.push(t);
  }
  if (viaComments.length === 0) return out;
  const comments = await Comment.find(
    { taskId: { $in: viaComments.map((t) => t._id) } },
    { taskId: 1, body: 1, authorName: 1 },
  )
    .sort({ _id: -1 })
    .limit(SNIPPET_COMMENTS)
    .lean();
  // Per task, the comment with the most matched words (the newest among equals).
  const best = new Map<string, { n: number; hit: NonNullable<SearchHit['snippet']> }>();
  for (const c of comments) {
    const n = new Set(
      highlight(c.body, terms).map((r) => c.body.slice(r.start, r.end).toLowerCase()),
    ).size;
    const s = n > 0 ? snippet(c.body, terms) : null;
    const tid = String(c.taskId);
    if (!s || (best.get(tid)?.n ?? 0) >= n) continue;
    best.set(tid, {
      n,
      hit: { field: 'comment', commentId: String(c._id), authorName: c.authorName, ...s },
    });
  }
  for (const [tid, b] of best) out.set(tid, b.hit);
  return out;
}

export async function search(
  user: Principal,
  input: SearchInput,
  syncer: ReturnType<typeof createSyncer>,
): Promise<{ items: SearchHit[]; nextCursor: string | null; total: number; capped: boolean }> {
  const parsed = parseQuery(input.q);
  if (parsed === 'no_words')
    throw badRequest('Invalid search', [
      { path: 'query.q', message: 'needs a word of at least 2 letters or digits' },
    ]);
  if (parsed === 'too_many_words')
    throw badRequest('Invalid search', [{ path: 'query.q', message: 'has more than 8 words' }]);
  const { terms, key } = parsed;
  const hash = queryHash(terms, input.q);
  const offset = input.cursor ? decodeOffset(input.cursor, hash) : 0;

  const visible = await visibleProjects(user);
  const projectIds = [...visible.keys()];
  await syncer.ensureFresh(projectIds);

  const found = await findCandidates(projectIds, terms);
  const ids = found.map((e) => e.id);
  const jump = await keyTask(key, visible);
  if (jump && !ids.includes(String(jump._id))) ids.unshift(String(jump._id));
  // Re-read the tasks with the visibility filter: the index only proposes.
  const tasks = await Task.find({ _id: { $in: ids }, projectId: { $in: projectIds } }).lean<
    TTaskDoc[]
  >();
  const termsOf = new Map(found.map((e) => [e.id, new Set(e.terms)]));
  const candidates: Candidate[] = tasks.map((t) => ({
    id: String(t._id),
    title: t.title,
    description: t.description,
    updatedAt: t.updatedAt,
    terms: termsOf.get(String(t._id)) ?? new Set(),
    keyMatch: jump !== null && String(jump._id) === String(t._id),
  }));
  const ranked = rank(candidates, terms);
  const page = ranked.slice(offset, offset + input.limit);
  const byId = new Map(tasks.map((t) => [String(t._id), t]));
  const pageTasks = page.flatMap((r) => byId.get(r.id) ?? []);
  const fieldsOf = new Map(page.map((r) => [r.id, r.fields]));
  const snips = await snippets(pageTasks, fieldsOf, terms);
  const items = pageTasks.map((t): SearchHit => {
    const p = visible.get(String(t.projectId)) as Visible;
    const id = String(t._id);
    return {
      task: {
        id,
        key: `${p.key}-${t.number}`,
        number: t.number,
        projectId: p.id,
        projectKey: p.key,
        projectName: p.name,
        stateId: String(t.stateId),
        priority: t.priority,
        updatedAt: t.updatedAt,
      },
      matchedIn: fieldsOf.get(id) ?? [],
      title: { text: t.title, highlights: highlight(t.title, terms) },
      snippet: snips.get(id) ?? null,
    };
  });
  const next = offset + input.limit;
  return {
    items,
    nextCursor: next < ranked.length ? encodeOffset(next, hash) : null,
    total: ranked.length,
    capped: ids.length >= CANDIDATE_CAP,
  };
}
