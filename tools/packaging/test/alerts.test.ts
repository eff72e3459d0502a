// The alert rules with promtool, built from the Prometheus Go module (src/promtool.ts):
// `promtool check rules` on the rendered rule file (dist/prometheus-rules.yml, the same groups
// as the PrometheusRule), and `promtool test rules` with the unit tests in test/alerts/, which
// cover every alert firing and staying silent. A self-check proves the unit tests can fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildInstall } from '../src/build-install.ts';
import { ensurePromtool } from '../src/promtool.ts';

const testsDir = join(import.meta.dirname, 'alerts');

function promtool(bin: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('alert rules with promtool', () => {
  let bin = '';
  let dir = '';
  let alerts: string[] = [];
  before(() => {
    bin = ensurePromtool((m) => console.error(m));
    dir = mkdtempSync(join(tmpdir(), 'pms-alerts-'));
    const { rules } = buildInstall({ outDir: dir });
    const file = parse(readFileSync(rules, 'utf8')) as {
      groups: { rules: { alert?: string }[] }[];
    };
    alerts = file.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
    // The unit tests name the rule file by its base name, next to them.
    for (const f of readdirSync(testsDir)) copyFileSync(join(testsDir, f), join(dir, f));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('`promtool check rules` accepts the rule file', () => {
    const r = promtool(bin, ['check', 'rules', join(dir, 'prometheus-rules.yml')]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS: \d+ rules found/);
  });

  it('`promtool test rules` passes, with a firing and a silent case for every alert', () => {
    const files = readdirSync(testsDir).filter((f) => f.endsWith('.test.yml'));
    assert.ok(files.length > 0);
    const r = promtool(bin, ['test', 'rules', ...files.map((f) => join(dir, f))]);
    assert.equal(r.status, 0, r.out);
    const tested = new Map<string, { fires: boolean; silent: boolean }>();
    for (const f of files) {
      const t = parse(readFileSync(join(testsDir, f), 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      };
      for (const a of t.tests.flatMap((x) => x.alert_rule_test ?? [])) {
        const s = tested.get(a.alertname) ?? { fires: false, silent: false };
        if ((a.exp_alerts ?? []).length > 0) s.fires = true;
        else s.silent = true;
        tested.set(a.alertname, s);
      }
    }
    for (const a of alerts) {
      assert.deepEqual(tested.get(a), { fires: true, silent: true }, `${a} is unit-tested`);
    }
  });

  it('a wrong expectation fails `promtool test rules` (the tests can fail)', () => {
    const wrong = join(dir, 'wrong.yml');
    writeFileSync(
      wrong,
      [
        'rule_files: [prometheus-rules.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series: []',
        '    alert_rule_test:',
        '      - eval_time: 1m',
        '        alertname: PmsBackupFailed',
        '        exp_alerts: [{ exp_labels: { severity: critical } }]',
        '',
      ].join('\n'),
    );
    const r = promtool(bin, ['test', 'rules', wrong]);
    assert.notEqual(r.status, 0, r.out);
  });
});
