// Grafana dashboards and Prometheus configuration: well-formed, and every query names metrics
// that something in this repository (or kube-state-metrics / Prometheus itself) exports.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildInstall } from '../src/build-install.ts';
import { repoRoot } from '../src/paths.ts';
import { ensurePromtool } from '../src/promtool.ts';
import { run } from './run.ts';

const dashboardsDir = join(repoRoot, 'monitoring', 'grafana', 'dashboards');

/** Metric families the dashboards and alerts may use, and who exports them. */
const known: [RegExp, string][] = [
  [
    /^pms_operator_(reconcile_total|reconcile_errors_total|workqueue_depth|instances|leader|watch_restarts_total)$/,
    'operator/src/metrics.ts',
  ],
  [/^pms_operator_reconcile_duration_seconds_(bucket|sum|count)$/, 'operator/src/metrics.ts'],
  [
    /^pms_operator_process_(resident_memory_bytes|cpu_seconds_total)$/,
    'prom-client defaults (operator)',
  ],
  [/^http_request_duration_seconds_(bucket|sum|count)$/, 'app/backend/src/platform/metrics.ts'],
  [
    /^(process_resident_memory_bytes|nodejs_eventloop_lag_p99_seconds)$/,
    'prom-client defaults (backend)',
  ],
  [
    /^kube_(pod_status_ready|job_status_failed|job_failed|job_created|cronjob_status_last_successful_time|cronjob_status_last_schedule_time|cronjob_next_schedule_time|cronjob_created|cronjob_spec_suspend)$/,
    'kube-state-metrics',
  ],
  [/^pms:backup_[a-z_]+:[a-z_]+$/, 'recording rules in config/prometheus/prometheusrule.yaml'],
  [/^up$/, 'Prometheus'],
];

const promqlWords = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'rate',
  'increase',
  'irate',
  'delta',
  'histogram_quantile',
  'absent',
  'time',
  'le',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'label_values',
  'bool',
  'offset',
  'label_replace',
  'group_left',
  'group_right',
]);

/** Metric names in a PromQL expression (identifiers that are not functions, labels or keywords). */
function metricNames(expr: string): string[] {
  const noStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]');
  const noGrouping = noStrings.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  return [...noGrouping.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b/g)]
    .map((m) => m[1] ?? '')
    .filter((w) => !promqlWords.has(w) && !/^\d/.test(w) && !w.startsWith('$'));
}

function assertKnown(expr: string, where: string): void {
  const names = metricNames(expr);
  assert.ok(names.length > 0, `${where}: ${expr} names no metric`);
  for (const n of names) {
    assert.ok(
      known.some(([re]) => re.test(n)),
      `${where}: unknown metric ${n} in ${expr}`,
    );
  }
}

interface Panel {
  id: number;
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { uid: string };
  targets: { expr: string; refId: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
}

describe('monitoring', () => {
  it('the metric-name extraction finds metrics and ignores the rest', () => {
    assert.deepEqual(
      metricNames(
        'sum by (controller) (rate(pms_operator_reconcile_total{result="error"}[5m])) > 0',
      ),
      ['pms_operator_reconcile_total'],
    );
    assert.throws(
      () => assertKnown('rate(made_up_metric_total[5m])', 'self-test'),
      /unknown metric/,
    );
  });

  const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
  it('has the operator and instance dashboards', () => {
    assert.deepEqual(files.sort(), ['pms-instance.json', 'pms-operator.json']);
  });

  for (const file of files) {
    it(`${file}: panels are well-formed and query known metrics`, () => {
      const d = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard;
      assert.ok(d.uid && d.title);
      const ids = d.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
      const vars = new Set(d.templating.list.map((v) => v.name));
      assert.ok(vars.has('datasource'));
      for (const p of d.panels) {
        assert.equal(p.datasource.uid, '${datasource}', `${p.title}: uses the datasource variable`);
        assert.ok(p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: fits the grid`);
        assert.ok(p.targets.length > 0, `${p.title}: has queries`);
        for (const t of p.targets) {
          assertKnown(t.expr, `${file} "${p.title}"`);
          for (const m of t.expr.matchAll(/\$(\w+)/g)) {
            const v = m[1] ?? '';
            assert.ok(
              vars.has(v) || v.startsWith('__'),
              `${p.title}: $${v} is a dashboard variable`,
            );
          }
        }
      }
    });
  }

  it('the operator dashboard shows reconciles, errors, queue depth and instances by phase', () => {
    const d = JSON.parse(
      readFileSync(join(dashboardsDir, 'pms-operator.json'), 'utf8'),
    ) as Dashboard;
    const exprs = d.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of [
      'pms_operator_reconcile_total',
      'pms_operator_reconcile_duration_seconds_bucket',
      'pms_operator_workqueue_depth',
      'pms_operator_instances',
    ]) {
      assert.ok(exprs.includes(m), m);
    }
    assert.match(exprs, /result=~"error/);
    assert.match(exprs, /by \(phase\)/);
  });

  it('the instance dashboard shows rate, latency, errors and Mongo/Redis health', () => {
    const d = JSON.parse(
      readFileSync(join(dashboardsDir, 'pms-instance.json'), 'utf8'),
    ) as Dashboard;
    const exprs = d.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    assert.match(exprs, /http_request_duration_seconds_count/);
    assert.match(
      exprs,
      /histogram_quantile\(0\.99, sum by \(le\) \(rate\(http_request_duration_seconds_bucket/,
    );
    assert.match(exprs, /status=~"5\.\."/);
    assert.match(exprs, /by \(method, route\)/);
    assert.match(exprs, /mongodb/);
    assert.match(exprs, /redis/);
  });

  it('the alert rules query known metrics and render as a Prometheus rule file', () => {
    const out = buildInstall({ outDir: mkdtempSync(join(tmpdir(), 'pms-rules-')) });
    const file = parse(readFileSync(out.rules, 'utf8')) as {
      groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    assert.ok(rules.filter((r) => r.alert).length >= 6);
    for (const r of rules) assertKnown(r.expr, `rule ${r.alert ?? r.record}`);
  });

  it('the Prometheus scrape configs parse and scrape the operator and the instances', () => {
    const k8s = parse(
      readFileSync(join(repoRoot, 'monitoring/prometheus/prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: { job_name: string; relabel_configs?: { regex?: string }[] }[];
    };
    const jobs = Object.fromEntries(k8s.scrape_configs.map((j) => [j.job_name, j]));
    assert.ok(
      jobs['pms-operator']?.relabel_configs?.some(
        (r) => r.regex === 'pms-operator-metrics;metrics',
      ),
    );
    assert.ok(jobs['pms-instances']);
    const compose = parse(
      readFileSync(join(repoRoot, 'monitoring/prometheus/prometheus.compose.yml'), 'utf8'),
    ) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = compose.scrape_configs.flatMap((j) =>
      j.static_configs.flatMap((s) => s.targets),
    );
    assert.deepEqual(targets.sort(), ['backend:4000', 'frontend:3000']);
  });

  it('Prometheus accepts the Kubernetes scrape config (`promtool check config`)', () => {
    // Kubernetes service discovery and the relabel rules are what a Prometheus refuses at load
    // time; the YAML parse above cannot see a misspelt role or a regex that does not compile.
    const promtool = ensurePromtool((m) => console.error(m));
    const file = join(repoRoot, 'monitoring', 'prometheus', 'prometheus.yml');
    // --syntax-only: the rule_files glob names the path inside the Prometheus container.
    const r = run(promtool, ['check', 'config', '--syntax-only', file]);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});
