// The pure parts of `npm run test:all` (scripts/test-all-lib.ts): which workspace runs in which
// lane, in which order, and the summary that names the failures.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DATA_LANE, summary, testPlan } from '../../../scripts/test-all-lib.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const workspaces = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
).workspaces;

test('the data lane runs beside the Kubernetes lane once the test environment suite is done', () => {
  const plan = testPlan(workspaces, false);
  assert.deepEqual(plan.data, ['app/frontend', 'app/backend', 'app/backup']);
  assert.equal(plan.startAfter, 'tools/testenv');
  assert.equal(plan.kube[0], 'tools/testenv');
  // Every workspace runs exactly once.
  assert.deepEqual([...plan.kube, ...plan.data].sort(), [...workspaces].sort());
  // The Kubernetes lane keeps package.json's order.
  assert.deepEqual(
    plan.kube,
    workspaces.filter((w) => !DATA_LANE.includes(w)),
  );
});

test('the data lane touches no Kubernetes: no test of it reads a kubeconfig or the real node', () => {
  // A test that needs the cluster in one of these workspaces would run beside the Kubernetes
  // suites it could disturb: move the workspace out of DATA_LANE instead.
  const cluster = /kubeconfig|TESTENV_NODE|testEnv\([^)]*'(kube|kwok|node|storage)'/i;
  for (const w of DATA_LANE) {
    const files = readdirSync(join(root, w), { recursive: true, encoding: 'utf8' }).filter(
      (f) => !f.includes('node_modules') && !f.startsWith('.next') && f.endsWith('.ts'),
    );
    const tests = files.filter((f) => /(^|\/)(test|e2e)\//.test(f) || f.endsWith('.test.ts'));
    assert.ok(tests.length > 0, `${w} has tests`);
    for (const f of tests) {
      assert.doesNotMatch(readFileSync(join(root, w, f), 'utf8'), cluster, `${w}/${f}`);
    }
  }
});

test('--serial: one lane in package.json order', () => {
  const plan = testPlan(workspaces, true);
  assert.deepEqual(plan.kube, workspaces);
  assert.deepEqual(plan.data, []);
  assert.equal(plan.startAfter, undefined);
});

test('without the test environment workspace the data lane starts at once', () => {
  const plan = testPlan(['operator', 'app/backend'], false);
  assert.deepEqual(plan, { kube: ['operator'], data: ['app/backend'], startAfter: undefined });
});

test('the summary names every workspace and the failed ones', () => {
  const text = summary([
    { workspace: 'operator', code: 0, seconds: 361.5 },
    { workspace: 'app/backend', code: 1, seconds: 160.2 },
  ]);
  assert.match(text, /operator\s+passed\s+362 s/);
  assert.match(text, /app\/backend\s+FAILED \(exit 1\)\s+160 s/);
  assert.match(text, /failed: app\/backend$/m);
  assert.match(summary([{ workspace: 'x', code: 0, seconds: 1 }]), /every workspace passed/);
});
