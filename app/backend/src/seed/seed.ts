// A realistic demo workspace: users, three projects with members, labels and workflow states,
// 1,200+ tasks spread over the columns (ranked), with assignees, due dates, sub-tasks and
// comments. Used by `npm run seed` and the API benchmark. Idempotent per project key: an
// existing demo project is left alone unless `reset` is set.
import { Comment } from '../comments/model.ts';
import { Label, Membership, Project, State, type TStateDoc } from '../projects/model.ts';
import { Counter } from '../projects/model.ts';
import { createProject } from '../projects/service.ts';
import { Task } from '../tasks/model.ts';
import { spreadRanks } from '../tasks/rank.ts';
import { PRIORITY_ORDER } from '../tasks/service.ts';
import { User } from '../users/model.ts';
import { hashPassword } from '../auth/password.ts';

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Frances',
  'Edsger',
  'Radia',
  'Tim',
  'Katherine',
  'John',
  'Hedy',
  'Donald',
  'Sophie',
  'Guido',
  'Anita',
  'Bjarne',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
  'Dijkstra',
  'Perlman',
  'Berners-Lee',
  'Johnson',
  'McCarthy',
  'Lamarr',
  'Knuth',
  'Wilson',
  'van Rossum',
  'Borg',
  'Stroustrup',
];
const VERBS = [
  'Fix',
  'Add',
  'Refactor',
  'Document',
  'Investigate',
  'Remove',
  'Speed up',
  'Test',
  'Design',
  'Migrate',
];
const THINGS = [
  'login page',
  'billing export',
  'search index',
  'onboarding flow',
  'API rate limits',
  'dark mode',
  'CSV import',
  'audit log',
  'email digests',
  'mobile layout',
  'SSO settings',
  'webhooks',
  'dashboard charts',
  'notification centre',
  'file previews',
];
const PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;

export interface SeedOptions {
  password: string;
  tasksPerProject: number;
  reset?: boolean;
  log?: (m: string) => void;
}

// Deterministic pseudo-random numbers (mulberry32) so every seed run is the same workspace.
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seed(opts: SeedOptions) {
  const log = opts.log ?? (() => undefined);
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const hash = await hashPassword(opts.password);
  const users = [];
  for (let i = 0; i < FIRST.length; i++) {
    const email = `${(FIRST[i] ?? '').toLowerCase()}@demo.pms.local`;
    const name = `${FIRST[i]} ${LAST[i]}`;
    const u = await User.findOneAndUpdate(
      { email },
      {
        $setOnInsert: {
          email,
          name,
          passwordHash: hash,
          role: i === 0 ? 'admin' : 'member',
          disabled: false,
        },
      },
      { upsert: true, new: true },
    ).lean();
    if (u)
      users.push({
        id: String(u._id),
        name: u.name,
        email: u.email,
        role: u.role as 'admin' | 'member',
      });
  }
  log(`${users.length} users (password: the one given)`);
  const result: { key: string; id: string; tasks: number }[] = [];
  for (const [key, name] of [
    ['WEB', 'Website'],
    ['API', 'Public API'],
    ['OPS', 'Operations'],
  ] as const) {
    const existing = await Project.findOne({ key }).lean();
    if (existing && !opts.reset) {
      result.push({
        key,
        id: String(existing._id),
        tasks: await Task.countDocuments({ projectId: existing._id }),
      });
      log(`${key}: exists, left alone`);
      continue;
    }
    if (existing) {
      for (const m of [Task, Comment, State, Label, Membership] as const)
        await (m as typeof Task).deleteMany({ projectId: existing._id });
      await Counter.deleteOne({ _id: `task:${existing._id}` });
      await Project.deleteOne({ _id: existing._id });
    }
    const owner = users[0];
    if (!owner) throw new Error('no users');
    const p = await createProject(
      { userId: owner.id, role: 'admin', name: owner.name, email: owner.email, via: 'jwt' },
      { key, name, description: `Demo project ${name}` },
    );
    const members = users.slice(1);
    await Membership.insertMany(
      members.map((u, i) => ({
        projectId: p.id,
        userId: u.id,
        role: i < 2 ? 'admin' : i < 15 ? 'member' : 'viewer',
      })),
    );
    const labels = await Label.insertMany(
      ['bug', 'feature', 'chore', 'security', 'ux', 'performance'].map((l, i) => ({
        projectId: p.id,
        name: l,
        color: ['#ef4444', '#22c55e', '#64748b', '#f97316', '#a855f7', '#0ea5e9'][i],
      })),
    );
    const states = await State.find({ projectId: p.id }).sort({ position: 1 }).lean<TStateDoc[]>();
    const n = opts.tasksPerProject;
    const perState = new Map<string, number>();
    const assignment = Array.from({ length: n }, () => {
      const s = pick(states);
      perState.set(String(s._id), (perState.get(String(s._id)) ?? 0) + 1);
      return s;
    });
    const ranks = new Map([...perState].map(([sid, count]) => [sid, spreadRanks(count)]));
    const used = new Map<string, number>();
    const now = Date.now();
    const docs = assignment.map((s, i) => {
      const sid = String(s._id);
      const k = used.get(sid) ?? 0;
      used.set(sid, k + 1);
      const priority = pick(PRIORITIES);
      const created = new Date(now - (n - i) * 3600_000);
      return {
        projectId: p.id,
        number: i + 1,
        title: `${pick(VERBS)} ${pick(THINGS)}`,
        description: `## Context\n\nDemo task ${i + 1}.\n\n- [ ] step one\n- [ ] step two`,
        stateId: s._id,
        priority,
        priorityOrder: PRIORITY_ORDER[priority],
        assigneeIds: rand() < 0.8 ? [pick(members).id] : [],
        labelIds: rand() < 0.6 ? [pick(labels)._id] : [],
        dueDate: rand() < 0.5 ? new Date(now + Math.floor((rand() - 0.3) * 60) * 86400_000) : null,
        estimate: rand() < 0.5 ? pick([1, 2, 3, 5, 8]) : null,
        parentId: null,
        rank: ranks.get(sid)?.[k] ?? 'i',
        createdBy: owner.id,
        createdAt: created,
        updatedAt: created,
      };
    });
    for (let i = 0; i < docs.length; i += 500)
      await Task.insertMany(docs.slice(i, i + 500), { timestamps: false } as never);
    await Counter.updateOne({ _id: `task:${p.id}` }, { $set: { seq: n } }, { upsert: true });
    const some = await Task.find({ projectId: p.id }, { _id: 1 }).limit(Math.min(200, n)).lean();
    await Comment.insertMany(
      some.map((t) => {
        const a = pick(members);
        return {
          projectId: p.id,
          taskId: t._id,
          authorId: a.id,
          authorName: a.name,
          body: `Looks good to me. @${pick(members).name.split(' ')[0]?.toLowerCase()} can you check?`,
          mentions: [],
        };
      }),
    );
    result.push({ key, id: p.id, tasks: n });
    log(`${key}: ${n} tasks, ${some.length} comments`);
  }
  return { users, projects: result };
}
