'use client';
import { useEffect, useRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { describeError, fieldErrors } from '@/lib/api-error.ts';
import type { Priority } from '@/lib/filters.ts';
import { hueFor, initials } from '@/lib/format.ts';
import type { StateCategory } from '@/lib/types.ts';
import { Icon, type IconName } from './icons.tsx';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

export function Button({
  variant = 'secondary',
  size,
  icon,
  loading,
  children,
  className,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: Variant;
  size?: 'sm';
  icon?: IconName;
  loading?: boolean;
}) {
  return (
    <button
      type="button"
      {...rest}
      disabled={rest.disabled || loading}
      aria-busy={loading || undefined}
      className={['btn', `btn-${variant}`, size === 'sm' ? 'btn-sm' : '', className ?? '']
        .join(' ')
        .trim()}
    >
      {loading ? <Spinner small /> : icon ? <Icon name={icon} /> : null}
      {children}
    </button>
  );
}

export function IconButton({
  icon,
  label,
  className,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { icon: IconName; label: string }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      className={`icon-btn ${className ?? ''}`}
      {...rest}
    >
      <Icon name={icon} />
    </button>
  );
}

export function Spinner({ small, label = 'Loading' }: { small?: boolean; label?: string }) {
  return (
    <span className={small ? 'spinner spinner-sm' : 'spinner'} role="status" aria-label={label} />
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div className="skeleton-group" aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 12}%` }} />
      ))}
    </div>
  );
}

export function EmptyState({
  icon = 'folder',
  title,
  text,
  action,
}: {
  icon?: IconName;
  title: string;
  text?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden="true">
        <Icon name={icon} size={22} />
      </div>
      <h2 className="empty-title">{title}</h2>
      {text ? <p className="empty-text">{text}</p> : null}
      {action}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="error-state" role="alert">
      <strong>Something went wrong</strong>
      <p>{describeError(error)}</p>
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

/**
 * Scrolls a message that just appeared into view (the least scrolling that shows it): it sits
 * right under the control the user used, which may be at the bottom edge of the window.
 */
export function useReveal<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (key) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [key]);
  return ref;
}

/**
 * The error of an action, shown where the user acted. `shown` lists the body fields whose
 * messages the caller already shows on the fields themselves: when those cover every detail
 * of the error, nothing more is said here.
 */
export function InlineError({
  error,
  shown = [],
  id,
}: {
  error: unknown;
  shown?: string[];
  id?: string;
}) {
  const fields = Object.keys(fieldErrors(error));
  const hidden = !error || (fields.length > 0 && fields.every((f) => shown.includes(f)));
  const ref = useReveal<HTMLParagraphElement>(hidden ? null : error);
  if (hidden) return null;
  return (
    <p className="inline-error" role="alert" id={id} ref={ref}>
      {describeError(error)}
    </p>
  );
}

export function Avatar({ id, name, size = 24 }: { id: string; name: string; size?: number }) {
  return (
    <span
      className="avatar"
      title={name}
      style={{ width: size, height: size, fontSize: size * 0.42, ['--hue' as string]: hueFor(id) }}
    >
      {initials(name)}
    </span>
  );
}

export const PRIORITY_LABEL: Record<Priority, string> = {
  urgent: 'Urgent',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  none: 'No priority',
};

export function PriorityIcon({ priority }: { priority: Priority }) {
  if (priority === 'urgent') {
    return (
      <span className="prio prio-urgent" title="Urgent" aria-label="Urgent priority">
        !
      </span>
    );
  }
  const level = { none: 0, low: 1, medium: 2, high: 3 }[priority];
  return (
    <span
      className={`prio prio-${priority}`}
      title={PRIORITY_LABEL[priority]}
      aria-label={`${PRIORITY_LABEL[priority]}`}
    >
      {priority === 'none' ? (
        <span className="prio-none">···</span>
      ) : (
        [1, 2, 3].map((b) => (
          <span key={b} className={b <= level ? 'bar on' : 'bar'} style={{ height: 4 + b * 3 }} />
        ))
      )}
    </span>
  );
}

export function StateIcon({ category, color }: { category: StateCategory; color: string }) {
  const fill = { backlog: 0, unstarted: 0, started: 0.5, completed: 1, cancelled: 1 }[category];
  return (
    <span
      className={`state-icon state-${category}`}
      style={{ ['--state-color' as string]: color, ['--fill' as string]: `${fill * 360}deg` }}
      aria-hidden="true"
    />
  );
}

export function LabelChip({ name, color }: { name: string; color: string }) {
  return (
    <span className="chip" style={{ ['--chip' as string]: color }}>
      <span className="chip-dot" aria-hidden="true" />
      {name}
    </span>
  );
}

/** A modal built on <dialog>: focus trapping, Escape and the backdrop come from the platform. */
export function Dialog({
  open,
  title,
  onClose,
  children,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-label={title}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      {open ? (
        <div className="dialog-body">
          <div className="dialog-head">
            <h2>{title}</h2>
            <IconButton icon="x" label="Close" onClick={onClose} />
          </div>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

export function Field({
  label,
  error,
  hint,
  children,
  htmlFor,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
  htmlFor: string;
}) {
  return (
    <div className={error ? 'field field-error' : 'field'}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {error ? (
        <p className="field-msg" id={`${htmlFor}-error`}>
          {error}
        </p>
      ) : hint ? (
        <p className="field-hint">{hint}</p>
      ) : null}
    </div>
  );
}
