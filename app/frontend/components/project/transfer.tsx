'use client';
// Project settings → Import / Export. Export: download the project as JSON (everything) or its
// tasks as CSV. Import (project admins): upload a file (CSV, Trello board JSON, or this app's
// JSON export), see the dry-run preview (what will be created, sample rows, what cannot be
// mapped, per row with the reason; for CSV, which column feeds which field), then confirm. The
// confirmation sends the preview's import id, so a double click imports once.
import Link from 'next/link';
import { useState } from 'react';
import type { ApiError } from '@/lib/api-error.ts';
import { describeError, toApiError } from '@/lib/api-error.ts';
import { api, API_BASE, projectPath } from '@/lib/client/api.ts';
import { Button, InlineError } from '../ui.tsx';
import { useProject } from './project-context.tsx';

type Format = 'auto' | 'csv' | 'trello' | 'pms-json';
const FORMATS: { value: Format; label: string }[] = [
  { value: 'auto', label: 'Detect from the file' },
  { value: 'csv', label: 'CSV (this app or any spreadsheet)' },
  { value: 'trello', label: 'Trello board (JSON export)' },
  { value: 'pms-json', label: 'PMS project export (JSON)' },
];
const FIELDS: { value: string; label: string }[] = [
  { value: 'title', label: 'Title' },
  { value: 'description', label: 'Description' },
  { value: 'state', label: 'State' },
  { value: 'priority', label: 'Priority' },
  { value: 'assignees', label: 'Assignees' },
  { value: 'labels', label: 'Labels' },
  { value: 'dueDate', label: 'Due date' },
  { value: 'estimate', label: 'Estimate' },
  { value: 'key', label: 'Key' },
  { value: 'parent', label: 'Parent key' },
  { value: 'createdAt', label: 'Created at' },
];

interface Unmapped {
  where: string;
  field?: string;
  reason: string;
}

interface Preview {
  importId: string;
  format: Exclude<Format, 'auto'>;
  columns?: string[];
  mapping?: Record<string, string>;
  counts: Record<'tasks' | 'subtasks' | 'comments' | 'states' | 'labels' | 'members', number>;
  create: {
    states: { name: string; category: string }[];
    labels: { name: string; color: string }[];
    members: { email: string; name: string; role: string }[];
  };
  sample: {
    where: string;
    title: string;
    state: string;
    priority: string;
    labels: string[];
    assignees: number;
    parent: string | null;
    comments: number;
  }[];
  unmapped: Unmapped[];
  unmappedTotal: number;
}

interface Applied {
  importId: string;
  status: 'applied';
  result: {
    tasks: number;
    subtasks: number;
    comments: number;
    states: number;
    labels: number;
    members: number;
    firstNumber: number | null;
    lastNumber: number | null;
  };
}

const FORMAT_NAME: Record<Preview['format'], string> = {
  csv: 'CSV',
  trello: 'Trello board',
  'pms-json': 'PMS export',
};

async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const go = async () =>
    fetch(url, {
      ...init,
      credentials: 'same-origin',
      headers: {
        ...(init.headers as Record<string, string>),
        authorization: `Bearer ${await api.ensureToken()}`,
      },
    });
  let res = await go();
  if (res.status === 401) {
    await api.refresh();
    res = await go();
  }
  return res;
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return toApiError(res.status, body, res.headers.get('retry-after'));
}

/** Streams the export through the gateway and saves it under the server's file name. */
async function download(projectKey: string, format: 'json' | 'csv', activity: boolean) {
  const q = new URLSearchParams({ format, ...(activity ? { activity: 'true' } : {}) });
  const res = await authorizedFetch(`${API_BASE}${projectPath(projectKey)}/export?${q}`);
  if (!res.ok) throw await failure(res);
  const name =
    /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ??
    `${projectKey}.${format}`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function ExportPanel() {
  const { project } = useProject();
  const [busy, setBusy] = useState<'json' | 'csv' | null>(null);
  const [activity, setActivity] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (format: 'json' | 'csv') => {
    setBusy(format);
    setError(null);
    try {
      await download(project.key, format, activity);
    } catch (err) {
      // Shown under the buttons: a download that failed leaves nothing else to see.
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="stack">
      <h3>Export</h3>
      <p className="muted">
        JSON holds everything (settings, states, labels, members by e-mail, tasks, subtasks,
        comments, attachment links) and can be imported into another project. CSV holds one row per
        task for spreadsheets.
      </p>
      <div className="row">
        <Button icon="download" loading={busy === 'json'} onClick={() => void run('json')}>
          Download JSON
        </Button>
        <Button icon="download" loading={busy === 'csv'} onClick={() => void run('csv')}>
          Download CSV
        </Button>
        <label className="row-inline">
          <input
            type="checkbox"
            checked={activity}
            onChange={(e) => setActivity(e.target.checked)}
          />
          <span>Include the activity log (JSON)</span>
        </label>
      </div>
      <InlineError error={error} />
    </div>
  );
}

function Counts({ p }: { p: Preview }) {
  const c = p.counts;
  const parts = [
    `${c.tasks} task${c.tasks === 1 ? '' : 's'}`,
    c.subtasks ? `${c.subtasks} of them subtasks` : '',
    `${c.comments} comment${c.comments === 1 ? '' : 's'}`,
    `${c.states} new state${c.states === 1 ? '' : 's'}`,
    `${c.labels} new label${c.labels === 1 ? '' : 's'}`,
    `${c.members} new member${c.members === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return (
    <p data-testid="import-counts">
      <strong>{FORMAT_NAME[p.format]}</strong>: {parts.join(', ')}.
    </p>
  );
}

function MappingEditor({
  preview,
  onApply,
  busy,
}: {
  preview: Preview;
  onApply: (mapping: Record<string, string>) => void;
  busy: boolean;
}) {
  const [mapping, setMapping] = useState<Record<string, string>>(preview.mapping ?? {});
  const columns = preview.columns ?? [];
  return (
    <details className="stack" open={!preview.mapping?.title}>
      <summary>Columns → fields</summary>
      <div className="table-wrap">
        <table className="table">
          <tbody>
            {FIELDS.map((f) => (
              <tr key={f.value}>
                <td>
                  <label htmlFor={`map-${f.value}`}>{f.label}</label>
                </td>
                <td>
                  <select
                    id={`map-${f.value}`}
                    className="input"
                    value={mapping[f.value] ?? ''}
                    onChange={(e) => setMapping({ ...mapping, [f.value]: e.target.value })}
                  >
                    <option value="">— not imported —</option>
                    {columns.map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row">
        <Button
          loading={busy}
          onClick={() =>
            // Every field is sent, so "not imported" ("") also unmaps a guessed column.
            onApply(Object.fromEntries(FIELDS.map((f) => [f.value, mapping[f.value] ?? ''])))
          }
        >
          Preview again with this mapping
        </Button>
      </div>
    </details>
  );
}

function PreviewView({ p }: { p: Preview }) {
  return (
    <div className="stack" data-testid="import-preview">
      <Counts p={p} />
      {p.create.states.length + p.create.labels.length + p.create.members.length > 0 ? (
        <ul className="muted">
          {p.create.states.length ? (
            <li>States to create: {p.create.states.map((s) => s.name).join(', ')}</li>
          ) : null}
          {p.create.labels.length ? (
            <li>Labels to create: {p.create.labels.map((l) => l.name).join(', ')}</li>
          ) : null}
          {p.create.members.length ? (
            <li>
              Members to add:{' '}
              {p.create.members.map((m) => `${m.name} <${m.email}> (${m.role})`).join(', ')}
            </li>
          ) : null}
        </ul>
      ) : null}
      {p.sample.length ? (
        <div className="table-wrap">
          <table className="table" aria-label="First rows">
            <thead>
              <tr>
                <th>From</th>
                <th>Title</th>
                <th>State</th>
                <th>Priority</th>
                <th>Labels</th>
                <th>Parent</th>
              </tr>
            </thead>
            <tbody>
              {p.sample.map((s) => (
                <tr key={s.where}>
                  <td className="muted">{s.where}</td>
                  <td>{s.title}</td>
                  <td>{s.state}</td>
                  <td>{s.priority}</td>
                  <td>{s.labels.join(', ')}</td>
                  <td className="muted">{s.parent ? 'subtask' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <h4>
        Not imported as it is{' '}
        <span className="badge" data-testid="unmapped-total">
          {p.unmappedTotal}
        </span>
      </h4>
      {p.unmapped.length === 0 ? (
        <p className="muted">Everything in the file has a place here.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Not imported">
            <thead>
              <tr>
                <th>Where</th>
                <th>Field</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {p.unmapped.map((u, i) => (
                <tr key={`${u.where}-${i}`}>
                  <td>{u.where}</td>
                  <td>{u.field ?? ''}</td>
                  <td>{u.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {p.unmappedTotal > p.unmapped.length ? (
            <p className="muted">…and {p.unmappedTotal - p.unmapped.length} more.</p>
          ) : null}
        </div>
      )}
    </div>
  );
}

function ImportPanel() {
  const { project, reload } = useProject();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>('auto');
  const [checklists, setChecklists] = useState<'subtasks' | 'description'>('subtasks');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'preview' | 'apply' | null>(null);

  const upload = async (mapping?: Record<string, string>) => {
    if (!file) return;
    setBusy('preview');
    setError(null);
    setApplied(null);
    try {
      const q = new URLSearchParams({ format, checklists });
      if (mapping) q.set('mapping', JSON.stringify(mapping));
      const res = await authorizedFetch(`${API_BASE}${projectPath(project.key)}/imports?${q}`, {
        method: 'POST',
        headers: { 'content-type': file.type || 'application/octet-stream' },
        body: file,
      });
      if (!res.ok) throw await failure(res);
      setPreview((await res.json()) as Preview);
    } catch (err) {
      setPreview(null);
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const apply = async () => {
    if (!preview) return;
    setBusy('apply');
    setError(null);
    try {
      const r = await api.post<Applied>(
        `${projectPath(project.key)}/imports/${preview.importId}/apply`,
      );
      setApplied(r);
      setPreview(null);
      await reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const r = applied?.result;
  return (
    <div className="stack">
      <h3>Import</h3>
      <p className="muted">
        Nothing is created until you confirm the preview. Tasks are added to this project; states,
        labels and members that do not exist yet are created.
      </p>
      <div className="row" style={{ flexWrap: 'wrap' }}>
        <label className="field">
          <span>File</span>
          <input
            type="file"
            accept=".csv,.json,text/csv,application/json"
            aria-label="File to import"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setPreview(null);
              setApplied(null);
              setError(null);
            }}
          />
        </label>
        <label className="field">
          <span>Format</span>
          <select
            className="input"
            value={format}
            onChange={(e) => setFormat(e.target.value as Format)}
          >
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        {format === 'trello' || format === 'auto' ? (
          <label className="field">
            <span>Trello checklists</span>
            <select
              className="input"
              value={checklists}
              onChange={(e) => setChecklists(e.target.value as 'subtasks' | 'description')}
            >
              <option value="subtasks">as subtasks</option>
              <option value="description">in the description</option>
            </select>
          </label>
        ) : null}
      </div>
      <div className="row">
        <Button
          variant="primary"
          icon="search"
          disabled={!file}
          loading={busy === 'preview'}
          onClick={() => void upload()}
        >
          Preview import
        </Button>
      </div>
      {error ? (
        <div className="error-state" role="alert">
          {describeError(error)}
        </div>
      ) : null}
      {preview ? (
        <>
          {preview.format === 'csv' ? (
            <MappingEditor
              key={preview.importId}
              preview={preview}
              busy={busy === 'preview'}
              onApply={(m) => void upload(m)}
            />
          ) : null}
          <PreviewView p={preview} />
          <div className="row">
            <Button
              variant="primary"
              icon="check"
              disabled={preview.counts.tasks === 0}
              loading={busy === 'apply'}
              onClick={() => void apply()}
            >
              Import {preview.counts.tasks} task{preview.counts.tasks === 1 ? '' : 's'}
            </Button>
            <Button onClick={() => setPreview(null)}>Cancel</Button>
          </div>
        </>
      ) : null}
      {r ? (
        <div className="stack" role="status" data-testid="import-result">
          <p>
            Imported {r.tasks} task{r.tasks === 1 ? '' : 's'}
            {r.firstNumber !== null
              ? ` (${project.key}-${r.firstNumber} … ${project.key}-${r.lastNumber})`
              : ''}
            , {r.comments} comment{r.comments === 1 ? '' : 's'}; created {r.states} state
            {r.states === 1 ? '' : 's'}, {r.labels} label{r.labels === 1 ? '' : 's'}, added{' '}
            {r.members} member{r.members === 1 ? '' : 's'}.
          </p>
          <p>
            <Link href={`/projects/${encodeURIComponent(project.key)}/board`}>Open the board</Link>
          </p>
        </div>
      ) : null}
    </div>
  );
}

export function ProjectTransfer() {
  const { can } = useProject();
  return (
    <section className="card settings-card" aria-labelledby="s-transfer">
      <h2 id="s-transfer">Import / Export</h2>
      <ExportPanel />
      {can('admin') ? <ImportPanel /> : null}
    </section>
  );
}
