// Upload policy: allowed content types (exact or `type/*`) and a safe stored file name.

export function typeAllowed(contentType: string, allowed: string[]): boolean {
  const ct = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(ct)) return false;
  return allowed.some((a) => {
    const p = a.toLowerCase();
    return p === '*/*' || p === ct || (p.endsWith('/*') && ct.startsWith(p.slice(0, -1)));
  });
}

export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}
