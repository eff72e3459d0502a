import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podTemplateOf, renderChildren, renderSecrets, type Child } from './index.ts';
import { countingRandom, makeInstance } from './test-fixtures.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const find = (children: Child[], kind: string, name: string): Json => {
  const c = children.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(c, `${kind}/${name} rendered`);
  return c as Json;
};
const names = (children: Child[]) => children.map((c) => `${c.kind}/${c.metadata.name}`).sort();

describe('renderChildren', () => {
  it('renders the full in-cluster set for a minimal spec', () => {
    assert.deepEqual(names(renderChildren(makeInstance())), [
      'ConfigMap/acme-config',
      'ConfigMap/acme-mongodb-scripts',
      'Deployment/acme-backend',
      'Deployment/acme-frontend',
      'Deployment/acme-redis',
      'Deployment/acme-worker',
      'Ingress/acme-ingress',
      'Job/acme-minio-bucket',
      'NetworkPolicy/acme-allow-dns',
      'NetworkPolicy/acme-backend',
      'NetworkPolicy/acme-backup',
      'NetworkPolicy/acme-default-deny',
      'NetworkPolicy/acme-frontend',
      'NetworkPolicy/acme-minio',
      'NetworkPolicy/acme-mongodb',
      'NetworkPolicy/acme-redis',
      'NetworkPolicy/acme-worker',
      'Service/acme-backend',
      'Service/acme-frontend',
      'Service/acme-minio',
      'Service/acme-mongodb-headless',
      'Service/acme-redis',
      'ServiceAccount/acme-pms',
      'StatefulSet/acme-minio',
      'StatefulSet/acme-mongodb',
    ]);
  });

  it('labels and owns every child', () => {
    for (const c of renderChildren(makeInstance())) {
      assert.equal(c.metadata.namespace, 'tenant-a');
      assert.match(c.metadata.name, /^acme-/);
      assert.deepEqual(c.metadata.ownerReferences, [
        {
          apiVersion: 'pms.io/v1alpha1',
          kind: 'PmsInstance',
          name: 'acme',
          uid: 'uid-1234',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      const l = c.metadata.labels;
      assert.equal(l['app.kubernetes.io/name'], 'pms');
      assert.equal(l['app.kubernetes.io/instance'], 'acme');
      assert.equal(l['app.kubernetes.io/managed-by'], 'pms-operator');
      assert.equal(l['app.kubernetes.io/part-of'], 'pms');
      assert.equal(l['app.kubernetes.io/version'], '2.1.0');
      assert.ok(
        ['backend', 'frontend', 'worker', 'mongodb', 'redis', 'minio', 'backup'].includes(
          l['app.kubernetes.io/component'] ?? '',
        ),
      );
    }
  });

  it('hardens every container and pod, Jobs and CronJobs included', () => {
    const full = makeInstance({
      backup: { enabled: true, schedule: '@daily' },
      monitoring: { enabled: true },
      mongodb: { replicas: 3 },
    });
    const kinds = new Set<string>();
    for (const c of renderChildren(full)) {
      const pod = podTemplateOf(c)?.spec as Json | undefined;
      if (!pod) continue;
      kinds.add(c.kind);
      assert.equal(pod.securityContext.runAsNonRoot, true, c.metadata.name);
      assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      // No API token: neither on the pod nor through its dedicated ServiceAccount.
      assert.equal(pod.automountServiceAccountToken, false, c.metadata.name);
      assert.equal(pod.serviceAccountName, 'acme-pms', c.metadata.name);
      assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, c.metadata.name);
      for (const k of [...pod.containers, ...(pod.initContainers ?? [])]) {
        assert.equal(k.securityContext.readOnlyRootFilesystem, true, k.name);
        assert.equal(k.securityContext.allowPrivilegeEscalation, false, k.name);
        assert.deepEqual(k.securityContext.capabilities, { drop: ['ALL'] });
        assert.equal(k.securityContext.runAsNonRoot, true);
        assert.ok(k.resources?.requests || k.resources?.limits, `${k.name} has resources`);
      }
    }
    assert.deepEqual([...kinds].sort(), ['CronJob', 'Deployment', 'Job', 'StatefulSet']);
    const sa = find(renderChildren(full), 'ServiceAccount', 'acme-pms');
    assert.equal(sa.automountServiceAccountToken, false);
  });

  it('gives the backend its image, port, probes, resources and environment', () => {
    const i = makeInstance({ image: { registry: 'registry.example.com/pms/' } });
    const d = find(renderChildren(i), 'Deployment', 'acme-backend');
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.selector.matchLabels, {
      'app.kubernetes.io/name': 'pms',
      'app.kubernetes.io/instance': 'acme',
      'app.kubernetes.io/component': 'backend',
    });
    const c = d.spec.template.spec.containers[0];
    assert.equal(c.image, 'registry.example.com/pms/pms-backend:2.1.0');
    assert.deepEqual(c.ports, [{ name: 'http', containerPort: 4000, protocol: 'TCP' }]);
    assert.equal(c.livenessProbe.httpGet.path, '/health');
    assert.equal(c.readinessProbe.httpGet.path, '/ready');
    assert.deepEqual(c.resources, {
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
    const env = Object.fromEntries(c.env.map((e: Json) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(
      env.MONGODB_URI,
      'mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@acme-mongodb-0.acme-mongodb-headless.tenant-a.svc:27017/pms?authSource=pms',
    );
    assert.deepEqual(env.MONGODB_PASSWORD, {
      secretKeyRef: { name: 'acme-mongodb', key: 'password' },
    });
    assert.equal(env.REDIS_URL, 'redis://:$(REDIS_PASSWORD)@acme-redis.tenant-a.svc:6379/0');
    assert.deepEqual(env.S3_SECRET_KEY, {
      secretKeyRef: { name: 'acme-minio', key: 'secret-key' },
    });
    assert.equal(env.JWT_SECRET_FILE, '/var/run/secrets/pms/jwt/secret');
    assert.equal(env.ADMIN_PASSWORD_FILE, '/var/run/secrets/pms/admin/password');
    assert.equal(env.ADMIN_EMAIL, 'admin@acme.pms.example.com');
    // The referenced variables come before the one that expands them.
    const order = c.env.map((e: Json) => e.name);
    assert.ok(order.indexOf('MONGODB_PASSWORD') < order.indexOf('MONGODB_URI'));
    assert.deepEqual(c.envFrom, [{ configMapRef: { name: 'acme-config' } }]);
  });

  it('lets backend and frontend pods keep serving while their endpoints are removed', () => {
    const children = renderChildren(makeInstance({}));
    for (const component of ['backend', 'frontend']) {
      const pod = find(children, 'Deployment', `acme-${component}`).spec.template.spec;
      const c = pod.containers[0];
      assert.deepEqual(c.lifecycle, { preStop: { sleep: { seconds: 5 } } }, component);
      // The wait fits the grace period with room for the process to drain after SIGTERM.
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      assert.ok(grace - c.lifecycle.preStop.sleep.seconds >= 20, `${component}: grace ${grace}`);
    }
  });

  it('rolls app pods when the configuration changes', () => {
    const hash = (spec: Record<string, unknown>) =>
      find(renderChildren(makeInstance(spec)), 'Deployment', 'acme-backend').spec.template.metadata
        .annotations['pms.io/config-hash'];
    assert.equal(hash({}), hash({}));
    assert.notEqual(hash({}), hash({ maintenance: true }));
  });

  it('maps features, maintenance and SMTP to the app configuration', () => {
    const cm = find(
      renderChildren(
        makeInstance({
          features: { registration: true, fileUpload: false },
          maintenance: true,
          smtp: {
            host: 'smtp.example.com',
            from: 'pms@example.com',
            user: 'u',
            passwordSecretRef: { name: 's', key: 'p' },
          },
          ingress: { tls: { secretName: 'tls' } },
        }),
      ),
      'ConfigMap',
      'acme-config',
    );
    assert.equal(cm.data.ENABLE_REGISTRATION, 'true');
    assert.equal(cm.data.ENABLE_FILE_UPLOAD, 'false');
    assert.equal(cm.data.ENABLE_NOTIFICATIONS, 'true');
    assert.equal(cm.data.WEBHOOK_ALLOW_PRIVATE_TARGETS, 'false');
    assert.equal(cm.data.WEBHOOK_ALLOWED_CIDRS, '');
    assert.equal(cm.data.MAINTENANCE_MODE, 'true');
    assert.equal(cm.data.SMTP_HOST, 'smtp.example.com');
    assert.equal(cm.data.SMTP_PORT, '587');
    assert.equal(cm.data.EMAIL_FROM, 'pms@example.com');
    assert.equal(cm.data.FRONTEND_URL, 'https://acme.pms.example.com');
    assert.equal(cm.data.TRUST_PROXY, '1', 'the one proxy in front of the backend');
    assert.equal(cm.data.S3_ENDPOINT, 'http://acme-minio.tenant-a.svc:9000');
    assert.equal(cm.data.S3_USE_PATH_STYLE, 'true');
  });

  it('runs MongoDB as a three-member replica set with a PDB', () => {
    const children = renderChildren(
      makeInstance({
        mongodb: { replicas: 3, storage: { size: '20Gi', storageClassName: 'fast' } },
      }),
    );
    const sts = find(children, 'StatefulSet', 'acme-mongodb');
    assert.equal(sts.spec.replicas, 3);
    assert.equal(sts.spec.serviceName, 'acme-mongodb-headless');
    const mongod = sts.spec.template.spec.containers[0];
    assert.equal(mongod.image, 'mongo:7.0');
    assert.deepEqual(mongod.args.slice(-4), [
      '--replSet',
      'rs0',
      '--keyFile',
      '/etc/mongo-keyfile/keyfile',
    ]);
    const boot = sts.spec.template.spec.containers[1];
    const members = boot.env.find((e: Json) => e.name === 'MONGODB_MEMBERS').value.split(',');
    assert.equal(members.length, 3);
    assert.equal(members[2], 'acme-mongodb-2.acme-mongodb-headless.tenant-a.svc:27017');
    assert.deepEqual(sts.spec.volumeClaimTemplates[0].spec, {
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      resources: { requests: { storage: '20Gi' } },
    });
    assert.equal(find(children, 'PodDisruptionBudget', 'acme-mongodb').spec.maxUnavailable, 1);
    const backend = find(children, 'Deployment', 'acme-backend').spec.template.spec.containers[0];
    assert.match(backend.env.find((e: Json) => e.name === 'MONGODB_URI').value, /&replicaSet=rs0$/);
  });

  it('gives backend, worker and backup one valid multi-host URI for a replica set', () => {
    const children = renderChildren(
      makeInstance({ mongodb: { replicas: 3 }, backup: { enabled: true, schedule: '@daily' } }),
    );
    const env = (c: Json) => c.env as Json[];
    const containers = [
      find(children, 'Deployment', 'acme-backend').spec.template.spec.containers[0],
      find(children, 'Deployment', 'acme-worker').spec.template.spec.containers[0],
      find(children, 'CronJob', 'acme-backup').spec.jobTemplate.spec.template.spec.containers[0],
    ];
    for (const c of containers) {
      const vars = env(c);
      const at = (n: string) => vars.findIndex((e) => e.name === n);
      // The kubelet expands $(VAR) only from variables defined before it.
      assert.ok(at('MONGODB_USERNAME') >= 0 && at('MONGODB_USERNAME') < at('MONGODB_URI'));
      assert.ok(at('MONGODB_PASSWORD') >= 0 && at('MONGODB_PASSWORD') < at('MONGODB_URI'));
      // Expanded as the kubelet would, with base64url credentials like the generated ones.
      const uri = String(vars[at('MONGODB_URI')]?.value)
        .replace('$(MONGODB_USERNAME)', 'pms')
        .replace('$(MONGODB_PASSWORD)', 'Ab-_09xyz');
      const m = /^mongodb:\/\/([^:@/]+):([^@/]+)@([^/?]+)\/([^/?]+)\?(.+)$/.exec(uri);
      assert.ok(m, `${c.name}: ${uri} is mongodb://user:pass@hosts/db?options`);
      assert.deepEqual(m[3]?.split(','), [
        'acme-mongodb-0.acme-mongodb-headless.tenant-a.svc:27017',
        'acme-mongodb-1.acme-mongodb-headless.tenant-a.svc:27017',
        'acme-mongodb-2.acme-mongodb-headless.tenant-a.svc:27017',
      ]);
      assert.equal(m[4], 'pms');
      const options = Object.fromEntries(new URLSearchParams(m[5]));
      // The application user is created in the pms database (MONGODB_BOOTSTRAP).
      assert.deepEqual(options, { authSource: 'pms', replicaSet: 'rs0' });
    }
    const uris = containers.map((c) => env(c).find((e) => e.name === 'MONGODB_URI')?.value);
    assert.equal(new Set(uris).size, 1, 'one URI for every client');
    const standalone = renderChildren(makeInstance());
    const uri = find(
      standalone,
      'Deployment',
      'acme-backend',
    ).spec.template.spec.containers[0].env.find((e: Json) => e.name === 'MONGODB_URI').value;
    assert.doesNotMatch(uri, /replicaSet|,/);
  });

  it('takes the data-store images from the spec, defaulting to the upstream images', () => {
    const image = (children: Child[], kind: string, name: string) =>
      find(children, kind, name).spec.template.spec.containers[0].image;
    const defaults = renderChildren(makeInstance({ mongodb: { version: '8.0' } }));
    assert.equal(image(defaults, 'StatefulSet', 'acme-mongodb'), 'mongo:8.0');
    assert.equal(image(defaults, 'Deployment', 'acme-redis'), 'redis:7-alpine');
    assert.match(image(defaults, 'StatefulSet', 'acme-minio'), /^minio\/minio:RELEASE\./);
    const custom = renderChildren(
      makeInstance({
        mongodb: { image: 'registry.example.com/mongo:7.0.14', version: '7.0' },
        redis: { image: 'localhost/pms/redis:7' },
        objectStorage: { image: 'localhost/pms/minio:2025' },
      }),
    );
    const mongo = find(custom, 'StatefulSet', 'acme-mongodb').spec.template.spec;
    // mongod, its bootstrap side-car and the key-file init container share the image.
    assert.deepEqual(
      [...mongo.initContainers, ...mongo.containers].map((c: Json) => c.image),
      Array(3).fill('registry.example.com/mongo:7.0.14'),
    );
    assert.equal(image(custom, 'Deployment', 'acme-redis'), 'localhost/pms/redis:7');
    assert.equal(image(custom, 'StatefulSet', 'acme-minio'), 'localhost/pms/minio:2025');
  });

  it('creates the attachments bucket with pms-backup ensure-bucket, like a backup pod', () => {
    const children = renderChildren(
      makeInstance({
        image: { registry: 'registry.example.com/pms/', pullSecrets: [{ name: 'r' }] },
      }),
    );
    const job = find(children, 'Job', 'acme-minio-bucket');
    const pod = job.spec.template;
    assert.deepEqual(pod.metadata.labels, {
      'app.kubernetes.io/name': 'pms',
      'app.kubernetes.io/instance': 'acme',
      'app.kubernetes.io/component': 'minio',
    });
    const [c, ...more] = pod.spec.containers;
    assert.equal(more.length, 0);
    assert.equal(c.image, 'registry.example.com/pms/pms-backup:2.1.0');
    assert.deepEqual(c.args, ['ensure-bucket']);
    assert.ok(!JSON.stringify(job).includes('minio/mc'));
    const vars = Object.fromEntries(c.env.map((e: Json) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(vars.S3_ENDPOINT, 'http://acme-minio.tenant-a.svc:9000');
    assert.equal(vars.S3_BUCKET, 'pms-attachments');
    assert.equal(vars.S3_USE_PATH_STYLE, 'true');
    assert.deepEqual(vars.S3_ACCESS_KEY, {
      secretKeyRef: { name: 'acme-minio', key: 'access-key' },
    });
    assert.deepEqual(vars.S3_SECRET_KEY, {
      secretKeyRef: { name: 'acme-minio', key: 'secret-key' },
    });
    assert.equal(vars.INSTANCE, 'acme');
    assert.equal(vars.BACKUP_S3_BUCKET, 'pms-attachments');
    // The same restricted pod as the backup pods (UID of the pms-backup image).
    const backup = find(
      renderChildren(makeInstance({ backup: { enabled: true, schedule: '@daily' } })),
      'CronJob',
      'acme-backup',
    ).spec.jobTemplate.spec.template.spec;
    assert.deepEqual(pod.spec.securityContext, backup.securityContext);
    assert.deepEqual(c.securityContext, backup.containers[0].securityContext);
    assert.deepEqual(pod.spec.imagePullSecrets, [{ name: 'r' }]);
    assert.equal(pod.spec.automountServiceAccountToken, false);
    assert.equal(pod.spec.restartPolicy, 'OnFailure');
  });

  it('keeps PVCs on instance deletion unless asked to delete them', () => {
    const policy = (spec: Record<string, unknown>) =>
      find(renderChildren(makeInstance(spec)), 'StatefulSet', 'acme-mongodb').spec
        .persistentVolumeClaimRetentionPolicy;
    assert.deepEqual(policy({}), { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.deepEqual(policy({ mongodb: { storage: { deleteOnInstanceDelete: true } } }), {
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    });
  });

  it('adds PodDisruptionBudgets only for components with more than one replica', () => {
    const pdbs = (spec: Record<string, unknown>) =>
      names(renderChildren(makeInstance(spec)).filter((c) => c.kind === 'PodDisruptionBudget'));
    assert.deepEqual(pdbs({}), []);
    assert.deepEqual(pdbs({ backend: { replicas: 3 }, frontend: { replicas: 2 } }), [
      'PodDisruptionBudget/acme-backend',
      'PodDisruptionBudget/acme-frontend',
    ]);
  });

  it('replaces in-cluster data stores with external ones', () => {
    const i = makeInstance({
      mongodb: { external: { uriSecretRef: { name: 'db', key: 'uri' } } },
      redis: { external: { urlSecretRef: { name: 'cache', key: 'url' } } },
      objectStorage: {
        external: {
          endpoint: 'https://s3.example.com',
          bucket: 'files',
          credentialsSecretRef: { name: 's3' },
        },
      },
    });
    const children = renderChildren(i);
    assert.equal(children.filter((c) => c.kind === 'StatefulSet').length, 0);
    assert.deepEqual(
      names(children.filter((c) => ['Deployment', 'Service', 'Job'].includes(c.kind))),
      [
        'Deployment/acme-backend',
        'Deployment/acme-frontend',
        'Deployment/acme-worker',
        'Service/acme-backend',
        'Service/acme-frontend',
      ],
    );
    const env = find(children, 'Deployment', 'acme-backend').spec.template.spec.containers[0]
      .env as Json[];
    const by = (n: string) => env.find((e) => e.name === n);
    assert.deepEqual(by('MONGODB_URI')?.valueFrom, { secretKeyRef: { name: 'db', key: 'uri' } });
    assert.deepEqual(by('REDIS_URL')?.valueFrom, { secretKeyRef: { name: 'cache', key: 'url' } });
    assert.deepEqual(by('S3_ACCESS_KEY')?.valueFrom, {
      secretKeyRef: { name: 's3', key: 'access-key' },
    });
    assert.equal(by('MONGODB_PASSWORD'), undefined);
    const cm = find(children, 'ConfigMap', 'acme-config');
    assert.equal(cm.data.S3_ENDPOINT, 'https://s3.example.com');
    assert.equal(cm.data.S3_BUCKET, 'files');
    assert.equal(cm.data.S3_USE_PATH_STYLE, 'false');
    assert.deepEqual(names(renderSecrets(i, countingRandom())), [
      'Secret/acme-admin',
      'Secret/acme-jwt',
    ]);
  });

  it('drops Redis and the worker when Redis is disabled', () => {
    const children = renderChildren(
      makeInstance({ redis: { enabled: false }, worker: { enabled: false } }),
    );
    assert.ok(!children.some((c) => c.metadata.name === 'acme-redis'));
    assert.ok(!children.some((c) => c.metadata.name === 'acme-worker' && c.kind === 'Deployment'));
    const env = find(children, 'Deployment', 'acme-backend').spec.template.spec.containers[0]
      .env as Json[];
    assert.ok(!env.some((e) => e.name === 'REDIS_URL'));
  });

  it('routes the Ingress: /api to the backend, / to the frontend, with TLS and class', () => {
    const ing = find(
      renderChildren(
        makeInstance({
          ingress: { className: 'nginx', annotations: { a: 'b' }, tls: { secretName: 'cert' } },
        }),
      ),
      'Ingress',
      'acme-ingress',
    );
    assert.equal(ing.spec.ingressClassName, 'nginx');
    assert.deepEqual(ing.metadata.annotations, { a: 'b' });
    assert.deepEqual(ing.spec.tls, [{ hosts: ['acme.pms.example.com'], secretName: 'cert' }]);
    const paths = ing.spec.rules[0].http.paths;
    assert.equal(ing.spec.rules[0].host, 'acme.pms.example.com');
    assert.deepEqual(
      paths.map((p: Json) => [p.path, p.backend.service.name, p.backend.service.port.number]),
      [
        ['/api', 'acme-backend', 4000],
        ['/', 'acme-frontend', 3000],
      ],
    );
    assert.ok(
      !renderChildren(makeInstance({ ingress: { enabled: false } })).some(
        (c) => c.kind === 'Ingress',
      ),
    );
  });

  it('denies by default and allows only the needed paths', () => {
    const children = renderChildren(makeInstance());
    const deny = find(children, 'NetworkPolicy', 'acme-default-deny');
    assert.deepEqual(deny.spec, {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'pms', 'app.kubernetes.io/instance': 'acme' },
      },
      policyTypes: ['Ingress', 'Egress'],
    });
    const dns = find(children, 'NetworkPolicy', 'acme-allow-dns');
    assert.deepEqual(dns.spec.policyTypes, ['Egress']);
    assert.deepEqual(
      dns.spec.egress[0].ports.map((p: Json) => p.port),
      [53, 53],
    );
    const frontend = find(children, 'NetworkPolicy', 'acme-frontend');
    assert.deepEqual(frontend.spec.ingress, [
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 3000 }],
      },
    ]);
    const mongo = find(children, 'NetworkPolicy', 'acme-mongodb');
    assert.deepEqual(
      mongo.spec.ingress[0].from.map(
        (f: Json) => f.podSelector.matchLabels['app.kubernetes.io/component'],
      ),
      ['backend', 'worker', 'backup', 'mongodb'],
    );
    const redis = find(children, 'NetworkPolicy', 'acme-redis');
    assert.deepEqual(redis.spec.ingress[0].ports, [{ protocol: 'TCP', port: 6379 }]);
    const backend = find(children, 'NetworkPolicy', 'acme-backend');
    assert.deepEqual(
      backend.spec.egress.map((e: Json) => e.ports.map((p: Json) => p.port).join('+')),
      // the data stores, then webhook targets (public addresses only) on 443 and 80
      ['27017', '6379', '9000', '443+80'],
    );
    assert.ok(
      !renderChildren(makeInstance({ networkPolicy: { enabled: false } })).some(
        (c) => c.kind === 'NetworkPolicy',
      ),
    );
  });

  it('adds the backup CronJob only when backups are enabled', () => {
    assert.ok(!renderChildren(makeInstance()).some((c) => c.kind === 'CronJob'));
    const cj = find(
      renderChildren(makeInstance({ backup: { enabled: true, schedule: '0 3 * * *' } })),
      'CronJob',
      'acme-backup',
    );
    assert.equal(cj.spec.schedule, '0 3 * * *');
    assert.equal(cj.metadata.labels['app.kubernetes.io/component'], 'backup');
    assert.equal(cj.metadata.ownerReferences[0].uid, 'uid-1234');
  });

  it('is deterministic', () => {
    assert.deepEqual(renderChildren(makeInstance()), renderChildren(makeInstance()));
  });
});

describe('renderSecrets', () => {
  it('generates every credential from the random source, URL-safe and unique', () => {
    const secrets = renderSecrets(makeInstance(), countingRandom(7)) as Json[];
    assert.deepEqual(
      secrets.map((s) => s.metadata.name),
      ['acme-mongodb', 'acme-redis', 'acme-minio', 'acme-jwt', 'acme-admin'],
    );
    const decoded = (s: Json | undefined, k: string) =>
      Buffer.from(s?.data[k], 'base64').toString();
    const mongo = secrets[0];
    assert.equal(decoded(mongo, 'username'), 'pms');
    assert.equal(decoded(mongo, 'root-username'), 'root');
    assert.match(decoded(mongo, 'password'), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(decoded(mongo, 'password'), decoded(mongo, 'root-password'));
    assert.ok(decoded(mongo, 'keyfile').length <= 1024);
    assert.equal(decoded(secrets[4], 'email'), 'admin@acme.pms.example.com');
    for (const s of secrets) assert.equal(s.type, 'Opaque');
  });

  it('keeps the credentials of retained data out of the garbage collector', () => {
    const owners = (spec: Record<string, unknown>) =>
      Object.fromEntries(
        (renderSecrets(makeInstance(spec), countingRandom()) as Json[]).map((s) => [
          s.metadata.name,
          s.metadata.ownerReferences.map((o: Json) => o.uid).join(),
        ]),
      );
    // Default: PVCs are kept, so are the credentials that open them (and the admin's).
    assert.deepEqual(owners({}), {
      'acme-mongodb': '',
      'acme-redis': 'uid-1234',
      'acme-minio': '',
      'acme-jwt': 'uid-1234',
      'acme-admin': '',
    });
    const kept = (renderSecrets(makeInstance(), countingRandom()) as Json[])[0] as Json;
    assert.match(kept.metadata.annotations['pms.io/retained-with'], /MongoDB volumes/);
    assert.deepEqual(
      owners({
        mongodb: { storage: { deleteOnInstanceDelete: true } },
        objectStorage: { storage: { deleteOnInstanceDelete: true } },
      }),
      {
        'acme-mongodb': 'uid-1234',
        'acme-redis': 'uid-1234',
        'acme-minio': 'uid-1234',
        'acme-jwt': 'uid-1234',
        'acme-admin': 'uid-1234',
      },
    );
  });

  it('differs for different random sources', () => {
    const a = renderSecrets(makeInstance(), countingRandom(1));
    const b = renderSecrets(makeInstance(), countingRandom(2));
    assert.notDeepEqual(a, b);
  });
});

describe('app config: job queue and webhooks', () => {
  it('keeps the job queue on without SMTP (webhook deliveries need it) and passes the webhook settings', () => {
    const cm = find(renderChildren(makeInstance()), 'ConfigMap', 'acme-config');
    assert.equal(cm.data.ENABLE_NOTIFICATIONS, 'true');
    assert.equal(cm.data.SMTP_HOST, undefined);
    const open = find(
      renderChildren(
        makeInstance({
          features: { notifications: false },
          webhooks: { allowPrivateTargets: true, allowedCIDRs: ['10.20.0.0/16', '10.30.0.7'] },
        }),
      ),
      'ConfigMap',
      'acme-config',
    );
    assert.equal(open.data.ENABLE_NOTIFICATIONS, 'false');
    assert.equal(open.data.WEBHOOK_ALLOW_PRIVATE_TARGETS, 'true');
    assert.equal(open.data.WEBHOOK_ALLOWED_CIDRS, '10.20.0.0/16,10.30.0.7');
  });
});
