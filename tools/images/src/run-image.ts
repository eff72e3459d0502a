// Run a built image the way a pod runs it, without a container engine: buildah mounts the image's
// file system, and runc runs the image's ENTRYPOINT + CMD (or `args` in place of CMD, like a
// pod's `args`) as the image's USER with its ENV and WORKDIR, on a READ-ONLY root with tmpfs at
// /tmp and the given paths (a pod's emptyDirs), in its own PID namespace (so the program is
// PID 1 and must handle SIGTERM itself), no capabilities, no-new-privileges. It shares the
// host's network namespace so tests reach its ports on 127.0.0.1 (pick free ports).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.ts';

export interface ImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  User?: string;
  WorkingDir?: string;
}

export function imageConfig(tag: string): ImageConfig {
  const out = run('buildah', ['inspect', '--type', 'image', tag], `inspecting ${tag}`);
  return (JSON.parse(out) as { OCIv1: { config?: ImageConfig } }).OCIv1.config ?? {};
}

export interface RunOptions {
  /** Replace CMD (as a pod's `args` does); ENTRYPOINT stays. */
  args?: string[];
  /** Replace ENTRYPOINT (as a pod's `command` does; CMD is then dropped unless `args`). */
  command?: string[];
  env?: Record<string, string>;
  /** Writable tmpfs mounts besides /tmp (a pod's emptyDirs), owned by the image's USER. */
  tmpfs?: string[];
}

/** The process argv and environment a runtime derives from an image config (pure). */
export function processSpec(
  cfg: ImageConfig,
  opts: RunOptions,
): { args: string[]; env: string[]; uid: number; gid: number; cwd: string } {
  const entry = opts.command ?? cfg.Entrypoint ?? [];
  const cmd = opts.args ?? (opts.command ? [] : (cfg.Cmd ?? []));
  const env = new Map<string, string>();
  for (const e of cfg.Env ?? []) env.set(e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1));
  for (const [k, v] of Object.entries(opts.env ?? {})) env.set(k, v);
  const m = /^(\d+)(?::(\d+))?$/.exec(cfg.User ?? '');
  if (!m) throw new Error(`image USER "${cfg.User ?? ''}" is not a numeric uid[:gid]`);
  const uid = Number(m[1]);
  return {
    args: [...entry, ...cmd],
    env: [...env].map(([k, v]) => `${k}=${v}`),
    uid,
    gid: m[2] === undefined ? uid : Number(m[2]),
    cwd: cfg.WorkingDir || '/',
  };
}

export interface RunningImage {
  id: string;
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the exit code once the container's PID 1 exits. */
  exited: Promise<number | null>;
  /** Signal PID 1 (e.g. SIGTERM, as the kubelet does). */
  kill(signal: NodeJS.Signals): void;
  /** Kill if running, delete the container, unmount and remove the working container. */
  remove(): void;
}

let counter = 0;

export function runImage(tag: string, opts: RunOptions = {}): RunningImage {
  const p = processSpec(imageConfig(tag), opts);
  const id = `pms-images-${process.pid}-${++counter}`;
  const ctr = run(
    'buildah',
    ['from', '--pull=never', '--name', id, tag],
    `buildah from ${tag}`,
  ).trim();
  const rootfs = run('buildah', ['mount', ctr], `buildah mount ${ctr}`).trim();
  const bundle = mkdtempSync(join(tmpdir(), 'pms-images-bundle-'));
  const tmpfs = (dest: string, extra: string[] = []) => ({
    destination: dest,
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'nodev', `uid=${p.uid}`, `gid=${p.gid}`, 'mode=0755', ...extra],
  });
  const spec = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: p.uid, gid: p.gid },
      args: p.args,
      env: p.env,
      cwd: p.cwd,
      noNewPrivileges: true,
      capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
    },
    root: { path: rootfs, readonly: true },
    hostname: 'pms-image-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      {
        destination: '/sys',
        type: 'sysfs',
        source: 'sysfs',
        options: ['nosuid', 'noexec', 'nodev', 'ro'],
      },
      // DNS as the host has it (nothing here resolves names outside loopback; it keeps
      // resolvers from failing on a missing file).
      {
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: '/etc/resolv.conf',
        options: ['rbind', 'ro'],
      },
      tmpfs('/tmp', ['mode=1777']),
      ...(opts.tmpfs ?? []).map((d) => tmpfs(d)),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  const child = spawn('runc', ['run', '--bundle', bundle, id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  let removed = false;
  return {
    id,
    child,
    output: () => out,
    exited,
    kill: (signal) => {
      spawnSync('runc', ['kill', id, signal.replace(/^SIG/, '')]);
    },
    remove: () => {
      if (removed) return;
      removed = true;
      spawnSync('runc', ['delete', '--force', id]);
      spawnSync('buildah', ['umount', ctr]);
      spawnSync('buildah', ['rm', ctr]);
      rmSync(bundle, { recursive: true, force: true });
    },
  };
}

/** Run to completion (bounded), then clean up; the exit code and output. */
export async function runToEnd(
  tag: string,
  opts: RunOptions = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const c = runImage(tag, opts);
  const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
  try {
    const code = await c.exited;
    return { code, output: c.output() };
  } finally {
    clearTimeout(timer);
    c.remove();
  }
}
