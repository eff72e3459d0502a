'use client';
// One live connection per tab, chosen by the current page (a project page → that project's
// stream, which also carries the user's own events; elsewhere → the user's stream).
// <LiveConnection/> (rendered once by the signed-in shell) owns it; screens subscribe with
// useLive(); <LiveIndicator/> shows its state. A module-level store rather than a context: the
// shell needs one line, not a wrapper around everything.
import { usePathname } from 'next/navigation';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { streamPath, type LiveMessage, type LiveStatus } from '@/lib/live.ts';
import { connectLive } from '@/lib/live-client.ts';

type Listener = (m: LiveMessage) => void;

const listeners = new Set<Listener>();
let state: { status: LiveStatus; detail: string | undefined } = {
  status: 'connecting',
  detail: undefined,
};
const watchers = new Set<() => void>();
const setState = (status: LiveStatus, detail?: string) => {
  state = { status, detail };
  for (const w of [...watchers]) w();
};

/** Opens the tab's live stream while mounted (inside the signed-in shell). */
export function LiveConnection() {
  const path = streamPath(usePathname());
  useEffect(() => {
    const stop = connectLive({
      path,
      onMessage: (m) => {
        for (const fn of [...listeners]) fn(m);
      },
      onStatus: setState,
    });
    return () => {
      stop();
      setState('connecting');
    };
  }, [path]);
  return null;
}

/** Calls `handler` with every live message (always the latest handler). */
export function useLive(handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const fn: Listener = (m) => ref.current(m);
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, []);
}

export function useLiveStatus() {
  return useSyncExternalStore(
    (w) => {
      watchers.add(w);
      return () => void watchers.delete(w);
    },
    () => state,
    () => state,
  );
}

const COLOR: Record<LiveStatus, string> = {
  connecting: 'var(--muted)',
  live: '#22a06b',
  reconnecting: '#d97706',
  offline: 'var(--muted)',
};

const LABEL: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Live updates off',
};

/** A small dot and word: whether changes by others appear by themselves right now. */
export function LiveIndicator() {
  const { status, detail } = useLiveStatus();
  return (
    <span
      style={{
        display: 'inline-flex',
        alignItems: 'center',
        gap: 6,
        fontSize: 12,
        color: 'var(--muted)',
        marginLeft: 'auto',
      }}
      className={`live-indicator live-${status}`}
      data-testid="live-status"
      data-status={status}
      role="status"
      title={
        detail ??
        (status === 'live'
          ? 'Changes by others appear here as they happen'
          : 'Changes by others appear after the connection is back')
      }
    >
      <span
        aria-hidden="true"
        style={{
          width: 8,
          height: 8,
          borderRadius: '50%',
          background: COLOR[status],
          display: 'inline-block',
        }}
      />
      {LABEL[status]}
    </span>
  );
}
