// Ages as kubectl prints them (`45s`, `12m`, `5h`, `3d`). Pure.

export function age(iso: string | undefined, now: Date): string {
  if (!iso) return '<unknown>';
  const ms = now.getTime() - new Date(iso).getTime();
  if (Number.isNaN(ms)) return '<unknown>';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** `2026-11-30T03:00:00Z (5h ago)`, or `never`. */
export function when(iso: string | undefined, now: Date): string {
  return iso ? `${iso} (${age(iso, now)} ago)` : 'never';
}
