// MongoDB wire protocol from FerretDB v1 on a private PostgreSQL server (Debian's postgresql; no
// MongoDB server package is reachable here; see app/backend/README.md for what FerretDB v1
// lacks). PostgreSQL rather than FerretDB's embedded SQLite because the tests and the API
// benchmark need a database that takes concurrent load the way a server database does (SQLite
// serialises every writer). The cluster is created in the environment's data folder, listens on
// 127.0.0.1 only, trusts local connections, and trades durability for speed (fsync off): it is
// thrown away with the environment.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath } from '../install.ts';
import { freePort, tcpReady, waitUntil } from '../proc.ts';
import type { RunningService, ServiceContext } from './types.ts';

/** Debian installs the server programs here, outside PATH. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const v = versions[0];
  if (!v) {
    throw new Error(
      `PostgreSQL server not found under ${root}: apt-get install postgresql (or run scripts/setup.sh)`,
    );
  }
  return join(root, v, 'bin');
}

/**
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user the Debian
 * package creates (through setpriv, which execs in place so the recorded pid is the server's).
 */
function asServerUser(): { prefix: string[]; owner?: { uid: number; gid: number } } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      'running as root needs the `postgres` user to run PostgreSQL: apt-get install postgresql',
    );
  }
  return {
    prefix: ['setpriv', '--reuid=postgres', '--regid=postgres', '--clear-groups', '--'],
    owner: { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) },
  };
}

function run(cmd: string[], what: string): void {
  const [bin, ...args] = cmd;
  const r = spawnSync(bin ?? '', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    const out = `${r.stderr || r.stdout || r.error}`;
    const hint = /ermission denied/.test(out)
      ? ' (the postgres user must be able to enter every folder above the environment folder)'
      : '';
    throw new Error(`${what} failed (exit ${r.status}): ${out}${hint}`);
  }
}

/**
 * Where the PostgreSQL cluster of the environment whose data folder is `dataDir` lives. As root
 * the server runs as `postgres`, which may not be able to enter the environment's folder (a
 * checkout under /root, a mkdtemp folder are 0700): its cluster then lives in a folder of the
 * system's temporary directory named after the environment, removed by `down` like the rest.
 */
export function postgresDirFor(dataDir: string): string {
  if (process.getuid?.() !== 0) return join(dataDir, 'postgresql');
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join(tmpdir(), 'pms-testenv-postgresql', id);
}

export async function startMongo(ctx: ServiceContext): Promise<RunningService> {
  const bin = postgresBinDir();
  const user = asServerUser();
  const pgDir = postgresDirFor(ctx.dataDir);
  const socketDir = join(pgDir, 'run');
  rmSync(pgDir, { recursive: true, force: true });
  mkdirSync(pgDir, { recursive: true });
  if (user.owner) {
    chmodSync(join(pgDir, '..'), 0o755);
    chownSync(pgDir, user.owner.uid, user.owner.gid);
    chmodSync(pgDir, 0o700);
  }
  const data = join(pgDir, 'data');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    run(
      [
        ...user.prefix,
        join(bin, 'initdb'),
        '-D',
        data,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      'initdb',
    );
  }
  mkdirSync(socketDir, { recursive: true });
  if (user.owner) chownSync(socketDir, user.owner.uid, user.owner.gid);

  const pgPort = await freePort();
  const pg = ctx.spawn('postgresql', user.prefix[0] ?? join(bin, 'postgres'), [
    ...(user.prefix.length ? [...user.prefix.slice(1), join(bin, 'postgres')] : []),
    '-D',
    data,
    '-p',
    String(pgPort),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir}`,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=300',
    '-c',
    'shared_buffers=256MB',
  ]);
  await waitUntil(pg, () => tcpReady(pgPort), 60_000);
  run(
    [
      join(bin, 'psql'),
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-tAc',
      'SELECT 1',
    ],
    'psql',
  );
  const exists = spawnSync(
    join(bin, 'psql'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-tAc',
      "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'",
    ],
    { encoding: 'utf8' },
  );
  if (exists.stdout.trim() !== '1') {
    run(
      [
        join(bin, 'createdb'),
        '-h',
        '127.0.0.1',
        '-p',
        String(pgPort),
        '-U',
        'postgres',
        'ferretdb',
      ],
      'createdb ferretdb',
    );
  }

  const port = await freePort();
  const p = ctx.spawn('ferretdb', binaryPath('ferretdb'), [
    `--listen-addr=127.0.0.1:${port}`,
    '--handler=postgresql',
    `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/ferretdb?pool_max_conns=64`,
    '--log-level=warn',
  ]);
  await waitUntil(p, () => tcpReady(port), 30_000);
  return {
    name: 'mongodb',
    processes: [pg, p],
    env: {
      TESTENV_MONGODB_URI: `mongodb://127.0.0.1:${port}/`,
      TESTENV_POSTGRESQL_URL: `postgres://postgres@127.0.0.1:${pgPort}/ferretdb`,
    },
  };
}
