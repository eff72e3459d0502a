// nginx configs, checked with the real `nginx -t` (Debian nginx-light). nginx resolves
// upstream host names while testing, and the compose service names only exist inside the
// compose network, so the harness copies app/nginx to a scratch prefix and maps the upstream
// servers (common/upstreams.conf, and only that file) to 127.0.0.1. TLS files are generated.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../src/paths.ts';
import { run } from './run.ts';

const nginxDir = join(repoRoot, 'app', 'nginx');
const configs = ['development.conf', 'production.conf'];

function mimeTypes(): string {
  for (const p of ['/etc/nginx/mime.types', '/usr/local/etc/nginx/mime.types']) {
    if (existsSync(p)) return p;
  }
  throw new Error('nginx mime.types not found: install nginx-light (scripts/setup.sh)');
}

/** A scratch prefix holding app/nginx as nginx would see it in the container. */
function harness(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pms-nginx-'));
  cpSync(nginxDir, dir, { recursive: true });
  cpSync(mimeTypes(), join(dir, 'mime.types'));
  const upstreams = join(dir, 'common', 'upstreams.conf');
  const original = readFileSync(upstreams, 'utf8');
  const mapped = original.replace(/server (backend|frontend):(\d+)/g, 'server 127.0.0.1:$2');
  assert.notEqual(mapped, original, 'upstreams.conf names the compose services');
  writeFileSync(upstreams, mapped);
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const cert = run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-keyout',
    join(dir, 'certs', 'tls.key'),
    '-out',
    join(dir, 'certs', 'tls.crt'),
  ]);
  assert.equal(cert.status, 0, cert.stderr);
  return dir;
}

/**
 * `nginx -t` with stdout/stderr on real files: the configs log to /dev/stdout as containers do,
 * and Node's stdio pipes are sockets, which cannot be opened through /dev/stdout.
 */
function nginxTest(prefix: string, conf: string): { status: number | null; output: string } {
  const log = join(prefix, `${conf}.log`);
  const fd = openSync(log, 'w');
  try {
    const r = spawnSync(
      'nginx',
      ['-t', '-q', '-e', 'stderr', '-p', prefix, '-c', join(prefix, conf)],
      {
        stdio: ['ignore', fd, fd],
        timeout: 30_000,
      },
    );
    if (r.error) throw new Error(`nginx could not run (${r.error.message}): install nginx-light`);
    return { status: r.status, output: readFileSync(log, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

describe('nginx configs', () => {
  const dir = harness();

  for (const conf of configs) {
    it(`${conf} passes nginx -t`, () => {
      const r = nginxTest(dir, conf);
      assert.equal(r.status, 0, `nginx -t ${conf}:\n${r.output}`);
    });
  }

  it('the harness fails on a broken config', () => {
    const broken = join(dir, 'broken.conf');
    writeFileSync(
      broken,
      readFileSync(join(dir, 'development.conf'), 'utf8').replace(
        'events {',
        'events { no_such_directive on;',
      ),
    );
    const r = nginxTest(dir, 'broken.conf');
    assert.notEqual(r.status, 0);
    assert.match(r.output, /unknown directive "no_such_directive"/);
  });

  it('upstreams are the compose services backend:4000 and frontend:3000', () => {
    const text = readFileSync(join(nginxDir, 'common', 'upstreams.conf'), 'utf8');
    assert.match(text, /upstream pms_backend \{[^}]*server backend:4000\b/);
    assert.match(text, /upstream pms_frontend \{[^}]*server frontend:3000\b/);
  });

  it('routes /api/ to the backend and / to the frontend, rate limited, compressed, with security headers', () => {
    const http = readFileSync(join(nginxDir, 'common', 'http.conf'), 'utf8');
    assert.match(http, /^gzip on;/m);
    assert.match(http, /^limit_req_zone .* zone=pms_api:/m);
    assert.match(http, /^server_tokens off;/m);
    const locations = readFileSync(join(nginxDir, 'common', 'locations.conf'), 'utf8');
    assert.match(
      locations,
      /location \/api\/ \{[^}]*limit_req zone=pms_api[^}]*proxy_pass http:\/\/pms_backend;/,
    );
    assert.match(locations, /location \/ \{[^}]*proxy_pass http:\/\/pms_frontend;/);
    const headers = readFileSync(join(nginxDir, 'common', 'security-headers.conf'), 'utf8');
    for (const h of ['X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy']) {
      assert.match(headers, new RegExp(`add_header ${h} .* always;`));
    }
    for (const conf of configs) {
      const text = readFileSync(join(nginxDir, conf), 'utf8');
      assert.match(text, /include common\/security-headers\.conf;/, conf);
      assert.match(text, /include common\/locations\.conf;/, conf);
    }
    const prod = readFileSync(join(nginxDir, 'production.conf'), 'utf8');
    assert.match(prod, /Strict-Transport-Security/);
    assert.match(prod, /return 301 https:\/\/\$host\$request_uri;/);
  });

  it('every compose mount of an nginx file points at a file that exists', () => {
    for (const f of [
      'docker-compose.yml',
      'docker-compose.staging.yml',
      'docker-compose.production.yml',
    ]) {
      const text = readFileSync(join(repoRoot, 'app', f), 'utf8');
      for (const m of text.matchAll(/- \.\/nginx\/([\w./-]+?):/g)) {
        const rel = m[1] ?? '';
        if (rel === 'certs') continue; // operator-provided TLS material
        assert.ok(existsSync(join(nginxDir, rel)), `${f} mounts nginx/${rel}`);
      }
    }
  });
});
