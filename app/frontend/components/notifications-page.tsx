'use client';
import Link from 'next/link';
import { useState } from 'react';
import { describeError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { relativeTime } from '@/lib/format.ts';
import type { Notification, Page } from '@/lib/types.ts';
import { useLive } from './live/live-provider.tsx';
import { useToast } from './toast.tsx';
import { Avatar, Button, EmptyState, ErrorState, Loading } from './ui.tsx';
import { useResource } from './use-api.ts';

type Feed = Page<Notification> & { unreadCount: number };

export function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const toast = useToast();
  const res = useResource(`notifications-${unreadOnly}`, () =>
    api.get<Feed>('/notifications', { unread: unreadOnly ? 'true' : undefined, limit: 50 }),
  );
  const changed = () => window.dispatchEvent(new Event('pms:notifications'));
  // New notifications (and reads in other tabs) arrive on the live stream.
  useLive((m) => {
    if ((m.kind === 'user' && m.event.type === 'notification.created') || m.kind === 'resync')
      void res.reload();
  });
  const markRead = async (n: Notification) => {
    if (n.read) return;
    try {
      await api.post(`/notifications/${n.id}/read`);
      res.setData((d) =>
        d
          ? {
              ...d,
              unreadCount: Math.max(0, d.unreadCount - 1),
              items: d.items.map((x) => (x.id === n.id ? { ...x, read: true } : x)),
            }
          : d,
      );
      changed();
    } catch (err) {
      toast('error', describeError(err));
    }
  };
  const markAll = async () => {
    try {
      await api.post('/notifications/read-all');
      res.setData((d) =>
        d ? { ...d, unreadCount: 0, items: d.items.map((x) => ({ ...x, read: true })) } : d,
      );
      changed();
    } catch (err) {
      toast('error', describeError(err));
    }
  };
  const more = async () => {
    const cursor = res.data?.nextCursor;
    if (!cursor) return;
    const next = await api.get<Feed>('/notifications', {
      unread: unreadOnly ? 'true' : undefined,
      limit: 50,
      cursor,
    });
    res.setData((d) => (d ? { ...next, items: [...d.items, ...next.items] } : next));
  };
  const keyOf = (n: Notification) => n.taskKey.split('-')[0] ?? '';
  const numOf = (n: Notification) => n.taskKey.split('-')[1] ?? '';

  return (
    <div className="page narrow">
      <header className="page-head">
        <div>
          <h1>Notifications</h1>
          <p className="muted">{res.data ? `${res.data.unreadCount} unread` : ' '}</p>
        </div>
        <Button icon="check" onClick={() => void markAll()} disabled={!res.data?.unreadCount}>
          Mark all as read
        </Button>
      </header>
      <div className="tabs" role="tablist" aria-label="Filter notifications">
        <button
          type="button"
          role="tab"
          className="tab"
          aria-selected={!unreadOnly}
          onClick={() => setUnreadOnly(false)}
        >
          All
        </button>
        <button
          type="button"
          role="tab"
          className="tab"
          aria-selected={unreadOnly}
          onClick={() => setUnreadOnly(true)}
        >
          Unread
        </button>
      </div>
      {res.error ? (
        <ErrorState error={res.error} onRetry={() => void res.reload()} />
      ) : !res.data ? (
        <Loading />
      ) : res.data.items.length === 0 ? (
        <EmptyState
          icon="bell"
          title={unreadOnly ? 'All caught up' : 'No notifications yet'}
          text="Mentions, assignments and comments on your tasks show up here."
        />
      ) : (
        <ul className="card notif-list">
          {res.data.items.map((n) => (
            <li key={n.id} className={n.read ? 'notif' : 'notif unread'}>
              <Avatar id={n.actorId} name={n.actorName} size={28} />
              <div className="min0 grow">
                <Link
                  href={`/projects/${keyOf(n)}/tasks/${numOf(n)}`}
                  className="notif-link"
                  onClick={() => void markRead(n)}
                >
                  {n.message.startsWith(n.actorName) ? (
                    <>
                      <span className="strong">{n.actorName}</span>
                      {n.message.slice(n.actorName.length)}
                    </>
                  ) : (
                    <>
                      <span className="strong">{n.actorName}</span> {n.message}
                    </>
                  )}
                </Link>
                <div className="muted small">
                  <span className="mono">{n.taskKey}</span> · {relativeTime(n.createdAt)}
                </div>
              </div>
              {!n.read ? (
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => void markRead(n)}
                  aria-label={`Mark notification from ${n.actorName} as read`}
                >
                  Mark read
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {res.data?.nextCursor ? (
        <Button variant="ghost" onClick={() => void more()}>
          Load more
        </Button>
      ) : null}
    </div>
  );
}
