// The compose stack's additions, checked with what runs here (no Docker engine): the
// `monitoring` profile (Prometheus with the compose scrape file, which promtool accepts, and
// Grafana provisioned with monitoring/grafana), Mailpit catching development e-mail with the
// backend's SMTP settings pointing at it, and pms-backup behind `make backup` / `make restore`
// with an environment the program's own parser accepts and the operator's layout (the
// attachments bucket under backups/), in every environment.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadConfig as loadBackendConfig } from '../../../app/backend/src/platform/config.ts';
import { loadConfig as loadBackupConfig } from '../../../app/backup/src/config.ts';
import { ensurePromtool, prometheusVersion } from '../src/promtool.ts';
import { repoRoot } from '../src/paths.ts';
import {
  appDir,
  composeConfig,
  dev,
  parsed,
  production,
  releaseEnv,
  staging,
  type Service,
} from './compose.ts';
import { run } from './run.ts';

/** `source:target` pairs of a service's bind mounts (compose v1 renders absolute sources). */
function binds(s: Service | undefined): [string, string][] {
  return (s?.volumes ?? []).flatMap((v): [string, string][] => {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      return source?.startsWith('/') && target ? [[source, target]] : [];
    }
    return v.type === 'bind' && v.source && v.target ? [[v.source, v.target]] : [];
  });
}

describe('compose stack: monitoring, Mailpit, pms-backup', () => {
  const cfg = parsed(dev);

  it('the monitoring profile runs Prometheus (the pinned promtool release) and Grafana', () => {
    const prom = cfg.services.prometheus;
    const grafana = cfg.services.grafana;
    assert.deepEqual(prom?.profiles, ['monitoring']);
    assert.deepEqual(grafana?.profiles, ['monitoring']);
    assert.equal(prom?.image, `prom/prometheus:v${prometheusVersion()}`);
    assert.deepEqual(
      binds(prom).find(([, t]) => t === '/etc/prometheus/prometheus.yml')?.[0],
      join(repoRoot, 'monitoring', 'prometheus', 'prometheus.compose.yml'),
    );
  });

  it('Prometheus gets a scrape file that `promtool check config` accepts', () => {
    const promtool = ensurePromtool((m) => console.error(m));
    const file = join(repoRoot, 'monitoring', 'prometheus', 'prometheus.compose.yml');
    const r = run(promtool, ['check', 'config', '--syntax-only', file]);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    // Every target is a service of the stack.
    const scrape = parse(readFileSync(file, 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    for (const t of scrape.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets),
    )) {
      assert.ok(cfg.services[t.split(':')[0] ?? ''], `${t} is a compose service`);
    }
  });

  it('Grafana is provisioned with the data source and the dashboards of monitoring/grafana', () => {
    const grafana = cfg.services.grafana;
    const mounts = Object.fromEntries(binds(grafana).map(([s, t]) => [t, s]));
    assert.equal(
      mounts['/etc/grafana/provisioning'],
      join(repoRoot, 'monitoring', 'grafana', 'provisioning'),
    );
    // The dashboard provider reads the folder the dashboards are mounted at.
    const provider = parse(
      readFileSync(join(repoRoot, 'monitoring/grafana/provisioning/dashboards/pms.yml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    const path = provider.providers[0]?.options.path ?? '';
    assert.equal(mounts[path], join(repoRoot, 'monitoring', 'grafana', 'dashboards'));
    for (const d of ['pms-operator.json', 'pms-instance.json']) {
      assert.ok(existsSync(join(mounts[path] ?? '', d)), d);
    }
    // The data source's ${PROMETHEUS_URL} is the Prometheus service.
    assert.equal(grafana?.environment?.PROMETHEUS_URL, 'http://prometheus:9090');
    assert.ok(cfg.services.prometheus);
  });

  it('development: Mailpit catches the e-mail the backend and worker send', () => {
    const mailpit = cfg.services.mailpit;
    assert.equal(mailpit?.image, 'axllent/mailpit:v1.33.1');
    assert.equal(mailpit?.profiles, undefined, 'runs with the stack');
    assert.deepEqual(mailpit?.healthcheck?.test, ['CMD', '/mailpit', 'readyz']);
    for (const svc of ['backend', 'worker']) {
      const env = cfg.services[svc]?.environment ?? {};
      const config = loadBackendConfig(env);
      assert.equal(config.SMTP_HOST, 'mailpit', svc);
      assert.equal(config.SMTP_PORT, 1025, svc);
    }
    // Only development has it: staging and production send through their SMTP_HOST.
    const prod = parsed(production, releaseEnv);
    assert.equal(prod.services.mailpit, undefined);
    assert.equal(prod.services.backend?.environment?.SMTP_HOST, releaseEnv.SMTP_HOST);
  });

  for (const [name, files, env] of [
    ['development', dev, {}],
    ['staging', staging, releaseEnv],
    ['production', production, releaseEnv],
  ] as const) {
    it(`${name}: pms-backup gets an environment it accepts, with the operator's layout`, () => {
      const backup = parsed([...files], env).services.backup;
      assert.deepEqual(backup?.profiles, ['backup']);
      assert.equal(backup?.read_only, true);
      const config = loadBackupConfig(backup?.environment ?? {});
      // The operator's default destination: the attachments bucket, prefix backups/, so keys
      // are backups/<instance>/<ts>.archive.gz as in a PmsInstance's backup bucket.
      assert.equal(config.sameBucket, true);
      assert.equal(config.backupPrefix, 'backups/');
      assert.equal(config.base, 'backups/pms');
      assert.equal(config.instance, 'pms');
      if (name !== 'development') {
        assert.ok(backup?.image?.endsWith('/pms-backup:1.2.3'), backup?.image);
      }
    });
  }

  it('staging and production refuse a backup service without the secrets', () => {
    const env = { ...releaseEnv };
    delete env.PMS_VERSION;
    const r = composeConfig(production, env);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /set PMS_VERSION/);
  });

  it('make backup, restore, backup-list, backup-export and backup-import build valid commands', () => {
    const n = (args: string[]) => {
      const r = run('make', ['-n', '-C', appDir, ...args]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    assert.match(n(['backup']), /--profile backup run --rm backup backup$/m);
    assert.match(n(['backup-list']), /--profile backup run --rm backup list$/m);
    assert.match(n(['restore', 'REF=latest']), /--profile backup run --rm backup restore latest$/m);
    assert.match(
      n(['backup', 'ENV=production']),
      /-f docker-compose\.yml -f docker-compose\.production\.yml .*--profile backup run --rm backup backup/,
    );
    assert.match(
      n(['backup-export']),
      /mc mirror --overwrite "local\/\$S3_BUCKET\/backups\/" \/backups\//,
    );
    const restore = run('make', ['-s', '-C', appDir, 'restore']);
    assert.equal(restore.status, 2);
    assert.match(restore.stdout, /usage: make restore REF=latest/);
  });
});
