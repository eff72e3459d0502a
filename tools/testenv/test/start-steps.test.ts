// The pure parts of `npm start` (scripts/start-lib.ts): restart back-off and the printed steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextSteps, restartDelay } from '../../../scripts/start-lib.ts';

test('restart back-off: 1 s doubling to 30 s, back to 1 s after a minute of uptime', () => {
  const delays: number[] = [];
  let d: number | undefined;
  for (let i = 0; i < 8; i++) delays.push((d = restartDelay(d, 500)));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(restartDelay(30000, 59_999), 30000);
  assert.equal(restartDelay(30000, 60_000), 1000);
});

const base = {
  kubeconfig: '/tmp/x/data/kube/admin.kubeconfig',
  testenvDir: '/tmp/x',
  localCluster: true,
  file: '00-local.yaml',
  connectedSample: '01-minimal.yaml',
  namespace: 'demo',
  instance: 'demo',
  host: 'demo.pms.example.com',
};

test('next steps with the real node: URL via the ingress IP and the admin password command', () => {
  const text = nextSteps({ ...base, ingressIp: '10.250.7.2' });
  for (const line of [
    'export KUBECONFIG=/tmp/x/data/kube/admin.kubeconfig',
    'kubectl create namespace demo && kubectl label namespace demo pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest',
    'kubectl -n demo apply -f samples/00-local.yaml',
    'kubectl -n demo get pmsinstances -w',
    'samples/01-minimal.yaml needs the public mongo, redis and minio images',
    'http://demo.pms.example.com/',
    "echo '10.250.7.2 demo.pms.example.com' | sudo tee -a /etc/hosts",
    "--host-resolver-rules='MAP demo.pms.example.com 10.250.7.2'",
    "kubectl -n demo get secret demo-admin -o jsonpath='{.data.password}' | base64 -d",
    'PMS_TESTENV_DIR=/tmp/x npm run env -- down',
  ])
    assert.ok(text.includes(line), `prints: ${line}\n${text}`);
});

test('next steps without a real node or for an existing cluster say only what applies', () => {
  const noNode = nextSteps({ ...base, ingressIp: undefined });
  assert.doesNotMatch(noNode, /http:\/\/demo|get secret/);
  assert.match(noNode, /no real node/);
  const external = nextSteps({
    ...base,
    localCluster: false,
    testenvDir: undefined,
    ingressIp: undefined,
    file: '01-minimal.yaml',
    connectedSample: undefined,
  });
  assert.doesNotMatch(external, /env -- down|no real node|needs the public/);
  assert.match(external, /export KUBECONFIG=/);
  assert.match(external, /kubectl -n demo apply -f samples\/01-minimal\.yaml/);
  // A path with a space is quoted so the export line can be pasted.
  assert.match(
    nextSteps({ ...base, kubeconfig: '/a b/k', ingressIp: undefined }),
    /KUBECONFIG='\/a b\/k'/,
  );
});
