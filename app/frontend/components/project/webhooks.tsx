'use client';
// Project settings → Webhooks (project admins): list, create (the secret is shown once), edit
// events/active, rotate the secret, send a test ping, the delivery log with status codes, and
// the reason of an automatic disable with a way to re-enable.
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { useToast } from '../toast.tsx';
import { Button, ErrorState, IconButton, InlineError, Skeleton } from '../ui.tsx';
import { useResource } from '../use-api.ts';
import { useProject } from './project-context.tsx';

// Body fields whose API messages the webhook forms show on the fields themselves.
const FORM_FIELDS = ['url', 'events', 'events.0'];

interface Webhook {
  id: string;
  url: string;
  description: string;
  events: string[];
  active: boolean;
  consecutiveFailures: number;
  disabledReason: string | null;
  lastDeliveryAt: string | null;
  lastStatus: number | null;
}

interface WebhookList {
  items: Webhook[];
  eventTypes: string[];
  delivery: { enabled: boolean; message: string | null };
}

interface Delivery {
  id: string;
  deliveryId: string;
  event: string;
  attempt: number;
  final: boolean;
  test: boolean;
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  at: string;
}

const ALL = '*';

/** Event choice: "all events", or a set of types. Pure helper for the checkboxes. */
function toggleEvent(current: string[], type: string, on: boolean): string[] {
  if (type === ALL) return on ? [ALL] : [];
  const rest = current.filter((e) => e !== ALL && e !== type);
  return on ? [...rest, type] : rest;
}

function EventPicker({
  types,
  value,
  onChange,
  idPrefix,
  error,
}: {
  types: string[];
  value: string[];
  onChange: (v: string[]) => void;
  idPrefix: string;
  error?: string | undefined;
}) {
  const all = value.includes(ALL);
  return (
    <fieldset
      className="field"
      style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}
      aria-describedby={error ? `${idPrefix}-events-error` : undefined}
    >
      <legend style={{ fontWeight: 550, fontSize: 13, color: 'var(--text-2)', marginBottom: 6 }}>
        Events
      </legend>
      <div className="row">
        {types.map((t) => (
          <label key={t} className="row-inline small">
            <input
              type="checkbox"
              checked={t === ALL ? all : all || value.includes(t)}
              disabled={t !== ALL && all}
              onChange={(e) => onChange(toggleEvent(value, t, e.target.checked))}
            />
            {t === ALL ? 'All events' : <code>{t}</code>}
          </label>
        ))}
      </div>
      {error ? (
        <p className="field-msg" id={`${idPrefix}-events-error`}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function SecretNotice({ secret, onDone }: { secret: string; onDone: () => void }) {
  const toast = useToast();
  return (
    <div className="notice notice-success" role="status">
      <p className="strong">Copy the signing secret now. It will not be shown again.</p>
      <div className="row">
        <code className="token-value" data-testid="webhook-secret">
          {secret}
        </code>
        <Button
          size="sm"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => toast('success', 'Copied'));
          }}
        >
          Copy
        </Button>
        <Button size="sm" variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

function DeliveryLog({ base, version }: { base: string; version: number }) {
  const res = useResource(`${base}/deliveries#${version}`, (signal) =>
    api.get<{ items: Delivery[] }>(`${base}/deliveries`, { limit: 50 }, signal),
  );
  if (res.error) return <ErrorState error={res.error} onRetry={() => void res.reload()} />;
  if (!res.data) return <Skeleton lines={2} />;
  const items = res.data.items;
  return (
    <div className="stack">
      <div className="row">
        <span className="muted small grow">
          One line per attempt, newest first (the oldest are removed beyond the instance limit).
        </span>
        <Button size="sm" variant="ghost" onClick={() => void res.reload()}>
          Refresh
        </Button>
      </div>
      {items.length === 0 ? (
        <p className="muted small">No deliveries yet.</p>
      ) : (
        <div className="table-wrap" style={{ padding: 0 }}>
          <table className="table" aria-label="Delivery log">
            <thead>
              <tr>
                <th>Time</th>
                <th>Event</th>
                <th>Attempt</th>
                <th>Status</th>
                <th>Duration</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} data-testid="delivery-row">
                  <td className="small">{new Date(d.at).toLocaleString()}</td>
                  <td>
                    <code>{d.event}</code> {d.test ? <span className="tag">test</span> : null}
                  </td>
                  <td className="small">
                    {d.attempt}
                    {d.final ? '' : ' (retrying)'}
                  </td>
                  <td>
                    <span
                      className="tag"
                      style={{ color: d.ok ? 'var(--success)' : 'var(--danger)' }}
                    >
                      {d.statusCode ?? '—'} {d.ok ? 'OK' : 'failed'}
                    </span>
                  </td>
                  <td className="small">{d.durationMs} ms</td>
                  <td className="small">{d.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function WebhookRow({
  hook,
  base,
  types,
  onChanged,
  onSecret,
}: {
  hook: Webhook;
  base: string;
  types: string[];
  onChanged: () => Promise<void>;
  onSecret: (s: string) => void;
}) {
  const toast = useToast();
  const path = `${base}/${hook.id}`;
  const [busy, setBusy] = useState<string | null>(null);
  const [showLog, setShowLog] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  const [editing, setEditing] = useState(false);
  const [events, setEvents] = useState(hook.events);
  const [url, setUrl] = useState(hook.url);
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The last failed action's error, shown in this row (field errors on the fields).
  const [error, setError] = useState<unknown>(null);
  const act = async (name: string, fn: () => Promise<unknown>, ok?: string) => {
    setBusy(name);
    setError(null);
    try {
      await fn();
      if (ok) toast('success', ok);
      await onChanged();
      return true;
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
      return false;
    } finally {
      setBusy(null);
    }
  };
  const test = () =>
    act('test', async () => {
      const d = await api.post<Delivery>(`${path}/test`);
      toast(
        d.ok ? 'success' : 'error',
        d.ok
          ? `Test delivered: HTTP ${d.statusCode}`
          : `Test failed: ${d.error ?? `HTTP ${d.statusCode}`}`,
      );
      setShowLog(true);
      setLogVersion((v) => v + 1);
    });
  const autoDisabled = !hook.active && hook.disabledReason;
  return (
    <li className="settings-row" style={{ flexDirection: 'column', alignItems: 'stretch' }}>
      <div className="row">
        <div className="min0 grow">
          <div className="strong truncate mono" title={hook.url}>
            {hook.url}
          </div>
          <div className="muted small">
            {hook.events.includes(ALL) ? 'All events' : hook.events.join(', ')}
            {hook.lastStatus !== null ? ` · last status ${hook.lastStatus}` : ''}
          </div>
        </div>
        <div className="row-inline">
          <span className="tag" data-testid="webhook-state">
            {hook.active ? 'Active' : autoDisabled ? 'Disabled automatically' : 'Disabled'}
          </span>
          <Button size="sm" loading={busy === 'test'} onClick={() => void test()}>
            Send test
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setShowLog((s) => !s)}>
            {showLog ? 'Hide deliveries' : 'Deliveries'}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setEditing((e) => !e)}>
            Edit
          </Button>
          <IconButton
            icon="key"
            label={`Rotate the secret of ${hook.url}`}
            onClick={() =>
              window.confirm('Replace the signing secret? Receivers must use the new one.') &&
              void act('rotate', async () => {
                const r = await api.post<{ secret: string }>(`${path}/rotate-secret`);
                onSecret(r.secret);
              })
            }
          />
          <IconButton
            icon="trash"
            label={`Delete webhook ${hook.url}`}
            onClick={() =>
              window.confirm(`Delete the webhook to ${hook.url}?`) &&
              void act('delete', () => api.del(path), 'Webhook deleted')
            }
          />
        </div>
      </div>
      {autoDisabled ? (
        <div className="error-state" role="alert" style={{ margin: '8px 0' }}>
          <span data-testid="webhook-disabled-reason">{hook.disabledReason}</span>
          <Button
            size="sm"
            loading={busy === 'enable'}
            onClick={() =>
              void act('enable', () => api.patch(path, { active: true }), 'Webhook re-enabled')
            }
          >
            Re-enable
          </Button>
        </div>
      ) : null}
      {editing ? (
        <form
          className="stack"
          style={{ padding: '8px 0' }}
          onSubmit={async (e) => {
            e.preventDefault();
            setErrors({});
            if (
              await act(
                'save',
                () => api.patch(path, { url: url.trim(), events }),
                'Webhook updated',
              )
            )
              setEditing(false);
          }}
        >
          <label className="field">
            <span>Payload URL</span>
            <input
              className="input"
              value={url}
              aria-invalid={errors.url ? true : undefined}
              onChange={(e) => setUrl(e.target.value)}
            />
            {errors.url ? <span className="field-msg">{errors.url}</span> : null}
          </label>
          <EventPicker
            types={types}
            value={events}
            onChange={setEvents}
            idPrefix={`wh-${hook.id}`}
            error={errors.events ?? errors['events.0']}
          />
          <div className="row">
            <label className="row-inline small">
              <input
                type="checkbox"
                checked={hook.active}
                onChange={(e) =>
                  void act(
                    'active',
                    () => api.patch(path, { active: e.target.checked }),
                    e.target.checked ? 'Webhook enabled' : 'Webhook disabled',
                  )
                }
              />
              Active
            </label>
            <Button type="submit" variant="primary" size="sm" loading={busy === 'save'}>
              Save
            </Button>
          </div>
        </form>
      ) : null}
      <InlineError error={error} shown={editing ? FORM_FIELDS : []} />
      {showLog ? <DeliveryLog base={path} version={logVersion} /> : null}
    </li>
  );
}

export function ProjectWebhooks() {
  const { project, can } = useProject();
  const toast = useToast();
  const base = `/projects/${project.key}/webhooks`;
  const admin = can('admin');
  const res = useResource(admin ? base : null, (signal) =>
    api.get<WebhookList>(base, undefined, signal),
  );
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([ALL]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  if (!admin) return null;
  const types = res.data?.eventTypes ?? [ALL];
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const w = await api.post<{ secret: string }>(base, { url: url.trim(), events });
      setSecret(w.secret);
      setUrl('');
      setEvents([ALL]);
      toast('success', 'Webhook created');
      await res.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card settings-card" aria-labelledby="s-webhooks">
      <h2 id="s-webhooks">Webhooks</h2>
      <p className="muted small">
        Each change in this project is POSTed as JSON to the URLs below, signed with{' '}
        <code>X-PMS-Signature: sha256=…</code> (HMAC-SHA256 of <code>timestamp.body</code>), and
        retried with back-off when the receiver fails.
      </p>
      {res.data && !res.data.delivery.enabled ? (
        <div className="notice" role="note">
          {res.data.delivery.message}
        </div>
      ) : null}
      {secret ? <SecretNotice secret={secret} onDone={() => setSecret(null)} /> : null}
      {res.error ? <ErrorState error={res.error} onRetry={() => void res.reload()} /> : null}
      {!res.data && !res.error ? <Skeleton lines={2} /> : null}
      {res.data ? (
        res.data.items.length === 0 ? (
          <p className="muted">No webhooks yet.</p>
        ) : (
          <ul className="rows" aria-label="Webhooks">
            {res.data.items.map((w) => (
              <WebhookRow
                key={`${w.id}-${w.active}-${w.events.join()}-${w.url}`}
                hook={w}
                base={base}
                types={types}
                onChanged={res.reload}
                onSecret={setSecret}
              />
            ))}
          </ul>
        )
      ) : null}
      <form className="stack" onSubmit={create} aria-label="New webhook">
        <h3 className="strong small">Add a webhook</h3>
        <label className="field">
          <span>Payload URL</span>
          <input
            className="input"
            placeholder="https://example.com/hooks/pms"
            value={url}
            aria-invalid={errors.url ? true : undefined}
            onChange={(e) => setUrl(e.target.value)}
          />
          {errors.url ? <span className="field-msg">{errors.url}</span> : null}
        </label>
        <EventPicker
          types={types}
          value={events}
          onChange={setEvents}
          idPrefix="wh-new"
          error={errors.events}
        />
        <InlineError error={error} shown={FORM_FIELDS} />
        <div>
          <Button
            type="submit"
            variant="primary"
            icon="plus"
            loading={busy}
            disabled={!url.trim() || events.length === 0}
          >
            Add webhook
          </Button>
        </div>
      </form>
    </section>
  );
}
