// Attachment upload with progress: raw bytes POSTed through the same-origin gateway. fetch()
// cannot report upload progress, so this uses XMLHttpRequest.
import { ApiError, toApiError } from '../api-error.ts';
import type { Attachment } from '../types.ts';
import { api, API_BASE } from './api.ts';

export interface UploadHandle {
  promise: Promise<Attachment>;
  abort(): void;
}

function send(
  url: string,
  file: File,
  token: string,
  onProgress: (fraction: number) => void,
  xhr: XMLHttpRequest,
): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    xhr.open('POST', url);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = undefined;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as Attachment);
      } else {
        reject(toApiError(xhr.status, body, xhr.getResponseHeader('retry-after')));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'Upload failed: network error.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled.'));
    xhr.send(file);
  });
}

export function uploadAttachment(
  projectKey: string,
  taskNumber: number,
  file: File,
  onProgress: (fraction: number) => void,
): UploadHandle {
  let xhr = new XMLHttpRequest();
  const url =
    `${API_BASE}/projects/${encodeURIComponent(projectKey)}/tasks/${taskNumber}/attachments` +
    `?filename=${encodeURIComponent(file.name)}`;
  const promise = (async () => {
    const token = await api.ensureToken();
    try {
      return await send(url, file, token, onProgress, xhr);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        await api.refresh();
        xhr = new XMLHttpRequest();
        return send(url, file, await api.ensureToken(), onProgress, xhr);
      }
      throw err;
    }
  })();
  return { promise, abort: () => xhr.abort() };
}
