'use client';
import { useRef, useState, type DragEvent } from 'react';
import { describeError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { uploadAttachment, type UploadHandle } from '@/lib/client/upload.ts';
import { formatBytes, relativeTime } from '@/lib/format.ts';
import type { Attachment, AuthConfig, Task } from '@/lib/types.ts';
import { Icon } from '../icons.tsx';
import { useProject } from '../project/project-context.tsx';
import { useToast } from '../toast.tsx';
import { ErrorState, IconButton, Skeleton } from '../ui.tsx';
import { useResource } from '../use-api.ts';

interface Upload {
  id: number;
  name: string;
  progress: number;
  handle: UploadHandle;
}

let uploadSeq = 1;

export function Attachments({
  task,
  editable,
  onChanged,
}: {
  task: Task;
  editable: boolean;
  onChanged: () => void;
}) {
  const { project } = useProject();
  const toast = useToast();
  const res = useResource(`attachments-${task.id}`, () =>
    api.get<{ items: Attachment[] }>(`/projects/${project.key}/tasks/${task.number}/attachments`),
  );
  const cfg = useResource('auth-config', () => api.get<AuthConfig>('/auth/config'));
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragOver, setDragOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const uploadsEnabled = cfg.data?.fileUploadEnabled !== false;

  const start = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const max = cfg.data?.maxUploadBytes;
      if (max && file.size > max) {
        toast('error', `${file.name} is larger than the ${formatBytes(max)} limit.`);
        continue;
      }
      const id = uploadSeq++;
      const handle = uploadAttachment(project.key, task.number, file, (p) =>
        setUploads((u) => u.map((x) => (x.id === id ? { ...x, progress: p } : x))),
      );
      setUploads((u) => [...u, { id, name: file.name, progress: 0, handle }]);
      handle.promise
        .then((a) => {
          res.setData((d) => ({ items: [...(d?.items ?? []), a] }));
          onChanged();
        })
        .catch((err) => toast('error', `${file.name}: ${describeError(err)}`))
        .finally(() => setUploads((u) => u.filter((x) => x.id !== id)));
    }
  };

  // The API answers with a same-origin `/api/v1/.../content?token=…` URL (a ~60 s download token,
  // so a plain link works without the in-memory Bearer token and large files stream straight to
  // disk), or a presigned S3 URL when the deployment sets S3_PUBLIC_ENDPOINT.
  const download = async (a: Attachment) => {
    try {
      const { url } = await api.get<{ url: string }>(
        `/projects/${project.key}/attachments/${a.id}/download`,
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = a.filename;
      link.rel = 'noopener';
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (err) {
      toast('error', describeError(err));
    }
  };

  const remove = async (a: Attachment) => {
    if (!window.confirm(`Delete ${a.filename}?`)) return;
    try {
      await api.del(`/projects/${project.key}/attachments/${a.id}`);
      res.setData((d) => ({ items: (d?.items ?? []).filter((x) => x.id !== a.id) }));
      onChanged();
    } catch (err) {
      toast('error', describeError(err));
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragOver(false);
    if (e.dataTransfer.files.length) start(e.dataTransfer.files);
  };

  return (
    <section className="section" aria-labelledby={`att-${task.id}`}>
      <div className="section-head">
        <h2 id={`att-${task.id}`}>Attachments</h2>
      </div>
      {res.error ? <ErrorState error={res.error} onRetry={() => void res.reload()} /> : null}
      {!res.data && !res.error ? <Skeleton lines={1} /> : null}
      {res.data?.items.length === 0 && uploads.length === 0 && !editable ? (
        <p className="muted">No attachments.</p>
      ) : null}
      <ul className="attachments">
        {res.data?.items.map((a) => (
          <li key={a.id} className="attachment">
            <Icon name="paperclip" />
            <div className="min0 grow">
              <div className="truncate strong">{a.filename}</div>
              <div className="muted small">
                {formatBytes(a.size)} · {relativeTime(a.createdAt)}
              </div>
            </div>
            <IconButton
              icon="download"
              label={`Download ${a.filename}`}
              onClick={() => void download(a)}
            />
            {editable ? (
              <IconButton
                icon="trash"
                label={`Delete ${a.filename}`}
                onClick={() => void remove(a)}
              />
            ) : null}
          </li>
        ))}
        {uploads.map((u) => (
          <li key={u.id} className="attachment uploading">
            <Icon name="paperclip" />
            <div className="min0 grow">
              <div className="truncate">{u.name}</div>
              <div
                className="progress"
                role="progressbar"
                aria-label={`Uploading ${u.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(u.progress * 100)}
              >
                <div
                  className="progress-bar"
                  style={{ width: `${Math.round(u.progress * 100)}%` }}
                />
              </div>
            </div>
            <span className="muted small">{Math.round(u.progress * 100)}%</span>
            <IconButton
              icon="x"
              label={`Cancel upload of ${u.name}`}
              onClick={() => u.handle.abort()}
            />
          </li>
        ))}
      </ul>
      {editable && uploadsEnabled ? (
        <div
          className={dragOver ? 'dropzone over' : 'dropzone'}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes('Files')) {
              e.preventDefault();
              setDragOver(true);
            }
          }}
          onDragLeave={() => setDragOver(false)}
          onDrop={onDrop}
        >
          <Icon name="paperclip" />
          <span>
            Drop files here or{' '}
            <button type="button" className="link-btn" onClick={() => input.current?.click()}>
              browse
            </button>
            {cfg.data ? (
              <span className="muted small"> · up to {formatBytes(cfg.data.maxUploadBytes)}</span>
            ) : null}
          </span>
          <input
            ref={input}
            type="file"
            multiple
            className="sr-only"
            aria-label="Upload attachments"
            tabIndex={-1}
            onChange={(e) => {
              if (e.target.files) start(e.target.files);
              e.target.value = '';
            }}
          />
        </div>
      ) : null}
    </section>
  );
}
