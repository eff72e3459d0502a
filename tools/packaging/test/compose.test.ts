// The compose stack, checked statically: there is no Docker engine here, so every file set
// must pass `docker-compose config` (Debian's docker-compose 1.29 — the files stay within
// the Compose Specification subset it reads, which `docker compose` v2 reads too), and the
// rendered configuration must have the shape the stack promises.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  appDir,
  base,
  composeConfig,
  dev,
  parsed,
  production,
  releaseEnv,
  staging,
  type Service,
} from './compose.ts';
// The backend's own configuration parser: the stack must give it an environment it accepts.
import { loadConfig as loadBackendConfig } from '../../../app/backend/src/platform/config.ts';
import { run } from './run.ts';

/** The design's environment variable names (shared README): .env.example documents each. */
const designEnv = [
  'NODE_ENV',
  'TZ',
  'LOG_LEVEL',
  'PORT',
  'BACKEND_PORT',
  'FRONTEND_URL',
  'BACKEND_URL',
  'API_VERSION',
  'MONGODB_URI',
  'MONGODB_DB',
  'REDIS_URL',
  'REDIS_DB',
  'REDIS_PASSWORD',
  'JWT_SECRET',
  'JWT_ACCESS_TTL',
  'JWT_REFRESH_TTL',
  'REFRESH_COOKIE_NAME',
  'BCRYPT_ROUNDS',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'S3_BUCKET',
  'S3_USE_PATH_STYLE',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_SECURE',
  'SMTP_USER',
  'SMTP_PASS',
  'EMAIL_FROM',
  'ENABLE_METRICS',
  'METRICS_PORT',
  'ENABLE_TRACING',
  'CORS_ORIGINS',
  'RATE_LIMIT_WINDOW',
  'RATE_LIMIT_MAX',
  'HELMET_ENABLED',
  'CLUSTER_MODE',
  'CACHE_TTL',
  'COMPRESSION_ENABLED',
  'ENABLE_REGISTRATION',
  'ENABLE_FILE_UPLOAD',
  'ENABLE_NOTIFICATIONS',
  'MAINTENANCE_MODE',
];

const appServices = ['backend', 'worker', 'frontend'];

function bindMounts(s: Service): string[] {
  return (s.volumes ?? []).flatMap((v) => {
    // v1 renders short syntax; an anonymous volume is a bare container path (no colon).
    if (typeof v === 'string') return v.includes(':') && v.startsWith('/') ? [v] : [];
    return v.type === 'bind' ? [`${v.source}:${v.target}`] : [];
  });
}

describe('docker-compose files', () => {
  it('every compose file in app/ belongs to a checked file set', () => {
    const files = readdirSync(appDir).filter((f) => /^docker-compose.*\.ya?ml$/.test(f));
    const checked = new Set([...base, ...dev, ...staging, ...production]);
    assert.deepEqual(
      files.filter((f) => !checked.has(f)),
      [],
    );
  });

  for (const [name, files] of [
    ['base', base],
    ['development', dev],
  ] as const) {
    it(`${name}: docker-compose config accepts it`, () => {
      const cfg = parsed([...files]);
      for (const s of [
        'mongodb',
        'redis',
        'minio',
        'minio-init',
        'backend',
        'worker',
        'frontend',
      ]) {
        assert.ok(cfg.services[s], `service ${s} is missing`);
        assert.equal(cfg.services[s]?.profiles, undefined, `${s} must run without a profile`);
      }
      assert.deepEqual(cfg.services['mongo-express']?.profiles, ['tools']);
      assert.deepEqual(cfg.services.nginx?.profiles, ['proxy']);
    });
  }

  for (const [name, files] of [
    ['staging', staging],
    ['production', production],
  ] as const) {
    it(`${name}: docker-compose config accepts it with the release variables`, () => {
      const cfg = parsed([...files], releaseEnv);
      for (const s of appServices) {
        const svc = cfg.services[s];
        assert.ok(svc?.image?.endsWith(':1.2.3'), `${s} runs the released image: ${svc?.image}`);
        assert.equal(svc?.build?.target, 'runtime');
        assert.deepEqual(bindMounts(svc ?? {}), [], `${s} mounts no sources`);
        assert.equal(svc?.read_only, true, `${s} has a read-only root file system`);
        assert.equal(svc?.environment?.NODE_ENV, 'production');
      }
      assert.deepEqual(cfg.services.worker?.command, ['node', 'dist/worker.js']);
      assert.equal(cfg.services.backend?.environment?.JWT_SECRET, releaseEnv.JWT_SECRET);
      // Next.js binds to $HOSTNAME, which Docker sets to the container id.
      assert.equal(cfg.services.frontend?.environment?.HOSTNAME, '0.0.0.0');
    });

    it(`${name}: refuses to start without the secrets`, () => {
      for (const missing of ['JWT_SECRET', 'PMS_VERSION', 'MONGO_ROOT_PASSWORD']) {
        const env = { ...releaseEnv };
        delete env[missing];
        const r = composeConfig([...files], env);
        assert.notEqual(r.status, 0, `config passed without ${missing}`);
        assert.match(r.stderr, new RegExp(`set ${missing}`));
      }
    });
  }

  it('development: hot reload from mounted sources, ports on 127.0.0.1 only', () => {
    const cfg = parsed(dev);
    assert.equal(cfg.services.backend?.build?.target, 'development');
    assert.ok(
      bindMounts(cfg.services.backend ?? {}).some((m) => m.endsWith(':/src/app/backend/src:ro')),
    );
    assert.deepEqual(cfg.services.worker?.command, ['npm', 'run', 'worker']);
    assert.ok(
      bindMounts(cfg.services.frontend ?? {}).some((m) => /:\/src\/app\/frontend(:rw)?$/.test(m)),
    );
    const text = composeConfig(dev).stdout;
    const published = [...text.matchAll(/published: (?:"|')?(\d+)/g)];
    assert.equal(
      published.length,
      0,
      'v1 renders ports as strings; published ports must be ip:port',
    );
    for (const [svc, s] of Object.entries(cfg.services)) {
      const ports = (s as { ports?: unknown[] }).ports ?? [];
      for (const p of ports) {
        assert.match(String(p), /^127\.0\.0\.1:/, `${svc} publishes ${String(p)} beyond localhost`);
      }
    }
  });

  it('health checks, resource limits and named volumes on every service', () => {
    const cfg = parsed(dev);
    for (const [name, s] of Object.entries(cfg.services)) {
      assert.ok(
        s.deploy?.resources?.limits?.memory || name === 'minio-init',
        `${name}: memory limit`,
      );
      if (name === 'minio-init') continue;
      // `disable: true` is rendered as test: [NONE] by compose v1.
      if (name === 'worker') assert.deepEqual(s.healthcheck?.test, ['NONE']);
      else assert.ok(s.healthcheck?.test?.length, `${name}: healthcheck`);
    }
    for (const [svc, target] of [
      ['mongodb', '/data/db'],
      ['redis', '/data'],
      ['minio', '/data'],
    ] as const) {
      const v = (cfg.services[svc]?.volumes ?? []).find((m) =>
        typeof m === 'string' ? m.replace(/:rw$/, '').endsWith(`:${target}`) : m.target === target,
      );
      assert.ok(v, `${svc} keeps ${target} in a volume`);
      const source = typeof v === 'string' ? v.split(':')[0] : v.source;
      assert.ok(
        source && cfg.volumes && source in cfg.volumes,
        `${svc}: ${source} is a named volume`,
      );
    }
  });

  it('the application gets every variable of the design', () => {
    const env = parsed(dev).services.backend?.environment ?? {};
    const missing = designEnv.filter((k) => !(k in env) && !['PORT', 'BACKEND_PORT'].includes(k));
    assert.deepEqual(missing, []);
    assert.match(env.MONGODB_URI ?? '', /@mongodb:27017\//);
    assert.match(env.REDIS_URL ?? '', /@redis:6379\//);
    assert.equal(env.S3_ENDPOINT, 'http://minio:9000');
  });

  it('.env.example documents the design variables and every variable the compose files read', () => {
    const example = readFileSync(join(appDir, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const used = new Set<string>();
    for (const f of readdirSync(appDir).filter((n) => /^docker-compose.*\.ya?ml$/.test(n))) {
      const text = readFileSync(join(appDir, f), 'utf8');
      for (const m of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) if (m[1]) used.add(m[1]);
    }
    const undocumented = [...designEnv, ...used].filter((k) => !documented.has(k));
    assert.deepEqual([...new Set(undocumented)], []);
  });

  it('the Makefile has the design targets and builds valid commands', () => {
    const mk = readFileSync(join(appDir, 'Makefile'), 'utf8');
    for (const t of [
      'up',
      'down',
      'logs',
      'seed',
      'backup',
      'restore',
      'test',
      'ps',
      'build',
      'clean',
    ]) {
      assert.match(mk, new RegExp(`^${t}:`, 'm'), `make ${t}`);
    }
    const r = run('make', ['-n', '-C', appDir, 'up', 'ENV=production']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /-f docker-compose\.yml -f docker-compose\.production\.yml/);
    const restore = run('make', ['-s', '-C', appDir, 'restore']);
    assert.notEqual(restore.status, 0, 'restore without REF must refuse');
  });

  for (const [name, files, env] of [
    ['development', dev, {}],
    ['staging', staging, releaseEnv],
    ['production', production, releaseEnv],
  ] as const) {
    it(`${name}: the backend and worker accept the environment the stack gives them`, () => {
      const cfg = parsed([...files], env);
      for (const svc of ['backend', 'worker']) {
        const environment = cfg.services[svc]?.environment ?? {};
        assert.doesNotThrow(() => loadBackendConfig(environment), `${svc} in ${name}`);
      }
    });

    it(`${name}: the compose Prometheus scrapes the port the backend serves /metrics on`, () => {
      const environment = parsed([...files], env).services.backend?.environment ?? {};
      const config = loadBackendConfig(environment);
      const apiPort = config.BACKEND_PORT || config.PORT;
      const metricsPort = config.METRICS_PORT !== 0 ? config.METRICS_PORT : apiPort;
      const scrape = readFileSync(
        join(appDir, '..', 'monitoring', 'prometheus', 'prometheus.compose.yml'),
        'utf8',
      );
      assert.match(scrape, new RegExp(`'backend:${metricsPort}'`));
    });
  }
});
