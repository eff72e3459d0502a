// Filling plugins/pms.yaml (the krew manifest template) for a release: version, repository and
// the sha256 of each platform's archive. Pure; scripts/krew-manifest.ts does the file work.

export interface KrewRelease {
  version: string;
  repository: string;
  /** `linux-amd64` → hex sha256 of kubectl-pms-linux-amd64.tar.gz. */
  sha256: Record<string, string>;
}

export function fillKrewManifest(template: string, r: KrewRelease): string {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(r.version)) {
    throw new Error(`version must be semver without a leading v (got "${r.version}")`);
  }
  if (!/^[\w.-]+\/[\w.-]+$/.test(r.repository)) {
    throw new Error(`repository must be OWNER/NAME (got "${r.repository}")`);
  }
  const values: Record<string, string> = { VERSION: r.version, REPOSITORY: r.repository };
  for (const [platform, sum] of Object.entries(r.sha256)) {
    if (!/^[0-9a-f]{64}$/.test(sum)) throw new Error(`sha256 of ${platform} is not 64 hex digits`);
    values[`SHA256_${platform.toUpperCase().replace(/-/g, '_')}`] = sum;
  }
  // Only the body is filled: the header comment shows the placeholders as documentation.
  const body = template.slice(template.indexOf('apiVersion:'));
  const missing = new Set<string>();
  const filled = body.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) missing.add(key);
    return v ?? '';
  });
  if (missing.size > 0) {
    throw new Error(
      `no value for ${[...missing].join(', ')} (pass an --archive for every platform)`,
    );
  }
  return filled;
}
