'use client';
import { useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { describeError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { relativeTime } from '@/lib/format.ts';
import {
  insertMention,
  matchMembers,
  mentionAt,
  mentionHandle,
  type MentionQuery,
} from '@/lib/mentions.ts';
import type { Comment, Member, Page, Task } from '@/lib/types.ts';
import { Markdown } from '../markdown.tsx';
import { useProject } from '../project/project-context.tsx';
import { useSession } from '../session.tsx';
import { useToast } from '../toast.tsx';
import { Avatar, Button, ErrorState, Skeleton } from '../ui.tsx';
import { useLiveTask } from '../live/use-live-task.ts';
import { useResource } from '../use-api.ts';

function Composer({ onSubmit }: { onSubmit: (body: string) => Promise<boolean> }) {
  const { members } = useProject();
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  // Caret to restore after inserting a mention, applied in the same commit as the new text so
  // keystrokes typed right after the choice land after the mention.
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pendingCaret.current !== null) {
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [body]);
  const options: Member[] = mention ? matchMembers(members, mention.query) : [];

  const sync = (el: HTMLTextAreaElement) => {
    setMention(mentionAt(el.value, el.selectionStart));
    setActive(0);
  };
  const choose = (m: Member) => {
    const el = ref.current;
    if (!el || !mention) return;
    const r = insertMention(body, mention, el.selectionStart, mentionHandle(m));
    pendingCaret.current = r.caret;
    setBody(r.text);
    setMention(null);
    el.focus();
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (options.length > 0) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => (a + 1) % options.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a - 1 + options.length) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        const m = options[active];
        if (m) {
          e.preventDefault();
          choose(m);
          return;
        }
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      e.currentTarget.form?.requestSubmit();
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    if (await onSubmit(body)) setBody('');
    setBusy(false);
  };
  const listId = 'mention-options';
  return (
    <form className="composer" onSubmit={submit}>
      <div className="composer-box">
        <textarea
          ref={ref}
          className="input"
          rows={3}
          placeholder="Leave a comment… Type @ to mention someone. Ctrl+Enter to send."
          aria-label="Comment"
          value={body}
          role="combobox"
          aria-expanded={options.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={options.length > 0 ? `${listId}-${active}` : undefined}
          onChange={(e) => {
            setBody(e.target.value);
            sync(e.target);
          }}
          onKeyDown={onKey}
          onClick={(e) => sync(e.currentTarget)}
          onBlur={() => window.setTimeout(() => setMention(null), 150)}
        />
        {options.length > 0 ? (
          <ul className="mention-list" role="listbox" id={listId} aria-label="Mention a member">
            {options.map((m, i) => (
              <li
                key={m.userId}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'mention-option active' : 'mention-option'}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(m);
                }}
              >
                <Avatar id={m.userId} name={m.name} size={18} />
                <span>{m.name}</span>
                <span className="muted small">{m.email}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="composer-actions">
        <Button type="submit" variant="primary" size="sm" loading={busy} disabled={!body.trim()}>
          Comment
        </Button>
      </div>
    </form>
  );
}

export function Comments({ task, editable }: { task: Task; editable: boolean }) {
  const { project, can } = useProject();
  const { user } = useSession();
  const toast = useToast();
  const base = `/projects/${project.key}/tasks/${task.number}/comments`;
  const res = useResource(`comments-${task.id}`, () =>
    api.get<Page<Comment>>(base, { limit: 100 }),
  );
  useLiveTask(
    task.id,
    () => void res.reload(),
    (type) => type.startsWith('comment.'),
  );

  const post = async (body: string) => {
    try {
      const c = await api.post<Comment>(base, { body });
      res.setData((p) => (p ? { ...p, items: [...p.items, c] } : { items: [c], nextCursor: null }));
      return true;
    } catch (err) {
      toast('error', describeError(err));
      return false;
    }
  };
  const remove = async (c: Comment) => {
    if (!window.confirm('Delete this comment?')) return;
    try {
      await api.del(`/projects/${project.key}/comments/${c.id}`);
      res.setData((p) => (p ? { ...p, items: p.items.filter((x) => x.id !== c.id) } : p));
    } catch (err) {
      toast('error', describeError(err));
    }
  };
  const loadMore = async () => {
    const cursor = res.data?.nextCursor;
    if (!cursor) return;
    try {
      const more = await api.get<Page<Comment>>(base, { limit: 100, cursor });
      res.setData((p) =>
        p ? { items: [...p.items, ...more.items], nextCursor: more.nextCursor } : more,
      );
    } catch (err) {
      toast('error', describeError(err));
    }
  };

  return (
    <section className="section" aria-labelledby={`comments-${task.id}`}>
      <div className="section-head">
        <h2 id={`comments-${task.id}`}>
          Comments{' '}
          {res.data?.items.length ? <span className="muted">{res.data.items.length}</span> : null}
        </h2>
      </div>
      {res.error ? <ErrorState error={res.error} onRetry={() => void res.reload()} /> : null}
      {!res.data && !res.error ? <Skeleton lines={2} /> : null}
      {res.data?.items.length === 0 ? <p className="muted">No comments yet.</p> : null}
      <ul className="comments">
        {res.data?.items.map((c) => (
          <li key={c.id} className="comment">
            <Avatar id={c.authorId} name={c.authorName} size={28} />
            <div className="comment-body">
              <div className="comment-head">
                <span className="strong">{c.authorName}</span>
                <time className="muted small" dateTime={c.createdAt}>
                  {relativeTime(c.createdAt)}
                </time>
                {editable && (c.authorId === user?.id || can('admin')) ? (
                  <button type="button" className="link-btn small" onClick={() => void remove(c)}>
                    Delete
                  </button>
                ) : null}
              </div>
              <Markdown source={c.body} />
            </div>
          </li>
        ))}
      </ul>
      {res.data?.nextCursor ? (
        <Button size="sm" variant="ghost" onClick={() => void loadMore()}>
          Show more comments
        </Button>
      ) : null}
      {editable ? <Composer onSubmit={post} /> : null}
    </section>
  );
}
