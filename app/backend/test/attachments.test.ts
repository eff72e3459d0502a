// Attachments round-trip through MinIO: streamed upload, presigned PUT + confirm, downloads
// streamed through the API with a short-lived token (default) or presigned against
// S3_PUBLIC_ENDPOINT, limits, delete removes the object.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Attachment } from '../src/attachments/model.ts';
import { signDownloadToken } from '../src/attachments/token.ts';
import { ConfigError, loadConfig } from '../src/platform/config.ts';
import { createStorage } from '../src/platform/s3.ts';
import { ADMIN, Client, startHarness, testConfigEnv, userClient, type Harness } from './helpers.ts';

let h: Harness;
let c: Client;
let viewer: Client;
let outsider: Client;
let taskNo: number;
const P = '/api/v1/projects/ATT';
const LIMIT = 64 * 1024;

before(async () => {
  h = await startHarness('attach', {
    MAX_UPLOAD_BYTES: String(LIMIT),
    UPLOAD_ALLOWED_TYPES: 'image/*,text/plain,application/json',
  });
  c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await c.post('/api/v1/projects', { key: 'ATT', name: 'Attachments' })).status, 201);
  const v = await userClient(h, c, 'Vera');
  viewer = v.client;
  await c.post(`${P}/members`, { userId: v.id, role: 'viewer' });
  outsider = (await userClient(h, c, 'Otto')).client;
  taskNo = (await c.post(`${P}/tasks`, { title: 'with files' })).body.number;
});
after(async () => {
  await h.close();
});

const objectExists = async (key: string) =>
  h.deps.storage.client
    .send(new HeadObjectCommand({ Bucket: h.deps.storage.bucket, Key: key }))
    .then(
      () => true,
      () => false,
    );

/** A plain (cookie-less, header-less) GET, like a browser following a link. */
const plain = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}${path}`, { headers, redirect: 'manual' });

test('streamed upload, token download through the API, delete removes the object', async () => {
  const data = randomBytes(40 * 1024);
  const up = await c.req(
    'POST',
    `${P}/tasks/${taskNo}/attachments?filename=${encodeURIComponent('../shot 1.png')}`,
    data,
    {
      'content-type': 'image/png',
    },
  );
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.equal(up.body.size, data.length);
  assert.equal(up.body.filename, 'shot 1.png');
  assert.equal(up.body.status, 'ready');
  // A JSON file is stored as bytes, not parsed by the JSON body parser.
  const json = await c.req(
    'POST',
    `${P}/tasks/${taskNo}/attachments?filename=data.json`,
    '{"$where": "x"}',
    { 'content-type': 'application/json' },
  );
  assert.equal(json.status, 201, JSON.stringify(json.body));

  const list = await viewer.get(`${P}/tasks/${taskNo}/attachments`);
  assert.equal(list.body.items.length, 2);
  const dl = await viewer.get(`${P}/attachments/${up.body.id}/download`);
  assert.equal(dl.status, 200);
  assert.equal(dl.body.expiresIn, 60);
  assert.match(
    dl.body.url,
    new RegExp(
      `^/api/v1/projects/ATT/attachments/${up.body.id}/content\\?token=\\d+\\.[\\w-]{43}$`,
    ),
    'same-origin API URL, not the (cluster-internal) S3 endpoint',
  );
  const res = await plain(dl.body.url, { 'accept-encoding': 'gzip, br' });
  assert.equal(res.status, 200);
  const got = Buffer.from(await res.arrayBuffer());
  assert.ok(got.equals(data), 'bytes round-trip through S3 and the API');
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.equal(res.headers.get('content-length'), String(data.length));
  assert.equal(res.headers.get('content-encoding'), null, 'not compressed');
  assert.equal(
    res.headers.get('content-disposition'),
    `attachment; filename="shot 1.png"; filename*=UTF-8''shot%201.png`,
  );
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('cache-control') ?? '', /(^|, )private(,|$)/);
  const redirect = await viewer.get(`${P}/attachments/${up.body.id}/download?redirect=true`);
  assert.equal(redirect.status, 302);
  assert.match(redirect.headers.get('location') ?? '', /\/content\?token=/);

  assert.equal(
    (await viewer.del(`${P}/attachments/${up.body.id}`)).status,
    403,
    'viewers cannot delete',
  );
  const doc = await Attachment.findById(up.body.id).lean();
  assert.ok(doc && (await objectExists(doc.key)));
  assert.equal((await c.del(`${P}/attachments/${up.body.id}`)).status, 204);
  assert.equal(await objectExists(doc.key), false, 'object deleted from S3');
  assert.equal((await viewer.get(`${P}/attachments/${up.body.id}/download`)).status, 404);
});

test('size and type limits', async () => {
  const tooBig = await c.req(
    'POST',
    `${P}/tasks/${taskNo}/attachments?filename=big.png`,
    randomBytes(LIMIT + 1),
    { 'content-type': 'image/png' },
  );
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.body.error, 'payload_too_large');
  const exe = await c.req(
    'POST',
    `${P}/tasks/${taskNo}/attachments?filename=x.exe`,
    randomBytes(10),
    { 'content-type': 'application/x-msdownload' },
  );
  assert.equal(exe.status, 415);
  const presignBig = await c.post(`${P}/tasks/${taskNo}/attachments/presign`, {
    filename: 'a.png',
    contentType: 'image/png',
    size: LIMIT + 1,
  });
  assert.equal(presignBig.status, 413);
  const noName = await c.req('POST', `${P}/tasks/${taskNo}/attachments`, randomBytes(10), {
    'content-type': 'image/png',
  });
  assert.equal(noName.status, 400);
  assert.equal(noName.body.details[0].path, 'query.filename');
});

test('presigned PUT then confirm', async () => {
  const data = Buffer.from('hello from a presigned upload\n');
  const p = await c.post(`${P}/tasks/${taskNo}/attachments/presign`, {
    filename: 'note.txt',
    contentType: 'text/plain',
    size: data.length,
  });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal(p.body.attachment.status, 'pending');
  const early = await c.post(`${P}/attachments/${p.body.attachment.id}/confirm`);
  assert.equal(early.status, 400, 'nothing uploaded yet');
  const put = await fetch(p.body.uploadUrl, { method: 'PUT', headers: p.body.headers, body: data });
  assert.equal(put.status, 200, await put.text());
  const ok = await c.post(`${P}/attachments/${p.body.attachment.id}/confirm`);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.status, 'ready');
  const dl = await c.get(`${P}/attachments/${p.body.attachment.id}/download`);
  assert.equal(await (await plain(dl.body.url)).text(), data.toString());
});

test('deleting the task removes its objects', async () => {
  const t = (await c.post(`${P}/tasks`, { title: 'doomed' })).body.number;
  const up = await c.req('POST', `${P}/tasks/${t}/attachments?filename=a.txt`, 'abc', {
    'content-type': 'text/plain',
  });
  const doc = await Attachment.findById(up.body.id).lean();
  assert.ok(doc && (await objectExists(doc.key)));
  assert.equal((await c.del(`${P}/tasks/${t}`)).status, 204);
  assert.equal(await objectExists(doc.key), false);
});

test('ENABLE_FILE_UPLOAD=false turns uploads off', async () => {
  h.deps.config.ENABLE_FILE_UPLOAD = false;
  try {
    const r = await c.req('POST', `${P}/tasks/${taskNo}/attachments?filename=a.txt`, 'abc', {
      'content-type': 'text/plain',
    });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'feature_disabled');
    assert.equal((await c.get('/api/v1/auth/config')).body.fileUploadEnabled, false);
  } finally {
    h.deps.config.ENABLE_FILE_UPLOAD = true;
  }
});

test('content endpoint: headers, authorization, tokens, object gone', async () => {
  const name = 'Bericht — März (v2)*.txt';
  const text = 'Grüße\n'.repeat(3000);
  const up = await c.req(
    'POST',
    `${P}/tasks/${taskNo}/attachments?filename=${encodeURIComponent(name)}`,
    text,
    { 'content-type': 'text/plain; charset=utf-8' },
  );
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const id: string = up.body.id;
  const content = `${P}/attachments/${id}/content`;
  const bytes = Buffer.from(text);

  // Bearer access (fetch + blob) works for project members, including viewers.
  const bearer = await plain(content, {
    authorization: `Bearer ${viewer.token}`,
    'accept-encoding': 'gzip',
  });
  assert.equal(bearer.status, 200);
  assert.ok(Buffer.from(await bearer.arrayBuffer()).equals(bytes));
  assert.equal(bearer.headers.get('content-type'), 'text/plain');
  assert.equal(bearer.headers.get('content-length'), String(bytes.length));
  assert.equal(bearer.headers.get('content-encoding'), null);
  assert.equal(
    bearer.headers.get('content-disposition'),
    `attachment; filename="Bericht _ M_rz (v2)*.txt"; filename*=UTF-8''Bericht%20%E2%80%94%20M%C3%A4rz%20%28v2%29%2A.txt`,
  );
  const cd = bearer.headers.get('content-disposition') ?? '';
  assert.equal(decodeURIComponent(cd.split("UTF-8''")[1] ?? ''), name);

  // Non-members get 404 (existence is not revealed); no credentials at all → 401.
  for (const path of [content, `${P}/attachments/${id}/download`]) {
    const r = await outsider.get(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.body.error, 'not_found');
  }
  const anon = await plain(content);
  assert.equal(anon.status, 401);
  assert.equal(((await anon.json()) as { error: string }).error, 'unauthorized');

  // Tokens: bound to the attachment and project, signed, expiring.
  const url: string = (await viewer.get(`${P}/attachments/${id}/download`)).body.url;
  const token = new URL(url, h.url).searchParams.get('token') ?? '';
  const [exp = '', sig = ''] = token.split('.');
  const flipped = `${exp}.${(sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)}`;
  const other = (
    await c.req('POST', `${P}/tasks/${taskNo}/attachments?filename=o.txt`, 'other', {
      'content-type': 'text/plain',
    })
  ).body.id as string;
  const secret = h.deps.config.JWT_SECRET;
  const projectId = String((await Attachment.findById(id).lean())?.projectId);
  const bad: [string, string, number][] = [
    [`${content}?token=${flipped}`, 'unauthorized', 401],
    [`${content}?token=${Number(exp) + 3600}.${sig}`, 'unauthorized', 401],
    [`${content}?token=garbage`, 'unauthorized', 401],
    [`${P}/attachments/${other}/content?token=${token}`, 'unauthorized', 401],
    [`${content}?token=${signDownloadToken('x'.repeat(40), projectId, id)}`, 'unauthorized', 401],
    [
      `${content}?token=${signDownloadToken(secret, projectId, id, 60, Date.now() - 61_000)}`,
      'token_expired',
      401,
    ],
  ];
  for (const [path, error, status] of bad) {
    const r = await plain(path);
    assert.equal(r.status, status, path);
    assert.equal(((await r.json()) as { error: string }).error, error, path);
  }
  // A valid token opens the file even without any other credentials.
  const ok = await plain(url);
  assert.equal(ok.status, 200);
  assert.ok(Buffer.from(await ok.arrayBuffer()).equals(bytes));

  // The object vanished from S3 (record still there) → 404 in the API error format.
  const doc = await Attachment.findById(id).lean();
  assert.ok(doc);
  await h.deps.storage.client.send(
    new DeleteObjectCommand({ Bucket: h.deps.storage.bucket, Key: doc.key }),
  );
  for (const r of [
    await plain(url),
    await plain(content, { authorization: `Bearer ${c.token}` }),
  ]) {
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    const body = (await r.json()) as { error: string; message: string };
    assert.equal(body.error, 'not_found');
    assert.equal(typeof body.message, 'string');
  }
});

test('a client abort mid-download releases the S3 stream and the API keeps serving', async () => {
  // Written straight to S3 (beyond the upload limit) so the body is far larger than socket buffers.
  const big = randomBytes(16 * 1024 * 1024);
  const key = `projects/x/tasks/y/big-${Date.now()}`;
  await h.deps.storage.put(key, big, big.length, 'application/octet-stream');
  const small = await c.req('POST', `${P}/tasks/${taskNo}/attachments?filename=s.txt`, 's', {
    'content-type': 'text/plain',
  });
  const first = await Attachment.findById(small.body.id).lean();
  assert.ok(first);
  const doc = await Attachment.create({
    projectId: first.projectId,
    taskId: first.taskId,
    key,
    filename: 'big.bin',
    contentType: 'application/octet-stream',
    size: big.length,
    status: 'ready',
    uploadedBy: first.uploadedBy,
  });
  // Observe (not replace) the real S3 body the API streams from.
  const storage = h.deps.storage;
  const realGet = storage.get;
  const bodies: Readable[] = [];
  storage.get = async (k, signal) => {
    const r = await realGet(k, signal);
    if (r) bodies.push(r.body);
    return r;
  };
  try {
    const url: string = (await c.get(`${P}/attachments/${String(doc._id)}/download`)).body.url;
    const ac = new AbortController();
    const res = await fetch(`${h.url}${url}`, { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(big.length));
    const reader = res.body?.getReader();
    assert.ok(reader);
    const chunk = await reader.read();
    assert.ok(chunk.value && chunk.value.length < big.length);
    ac.abort();
    await reader.cancel().catch(() => undefined);
    const body = bodies[0];
    assert.ok(body);
    for (let i = 0; i < 100 && !body.destroyed; i++) await setTimeout(50);
    assert.equal(body.destroyed, true, 'the S3 stream is destroyed on client abort');
    assert.equal(body.readableEnded, false, 'it was not read to the end');
    // The same file still downloads completely.
    const again = await plain(
      (await c.get(`${P}/attachments/${String(doc._id)}/download`)).body.url,
    );
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(big));
  } finally {
    storage.get = realGet;
  }
});

test('S3_PUBLIC_ENDPOINT: download and upload URLs are presigned against the public host', async () => {
  const bad = () => loadConfig(testConfigEnv('attach', { S3_PUBLIC_ENDPOINT: 'minio:9000/x y' }));
  assert.throws(
    bad,
    (e: unknown) => e instanceof ConfigError && /S3_PUBLIC_ENDPOINT/.test(e.message),
  );
  assert.equal(loadConfig(testConfigEnv('attach')).S3_PUBLIC_ENDPOINT, undefined);

  // The same MinIO under another host name: the URL must use it, and it must really work.
  const internal = new URL(h.deps.config.S3_ENDPOINT ?? '');
  const pub = new URL(internal.href);
  pub.hostname = 'localhost';
  const config = loadConfig({ ...h.env, S3_PUBLIC_ENDPOINT: pub.origin });
  assert.equal(config.S3_PUBLIC_ENDPOINT, pub.origin);
  const original = h.deps.storage;
  h.deps.storage = createStorage(config);
  try {
    assert.equal(h.deps.storage.publicPresign, true);
    const data = Buffer.from('public endpoint download\n');
    const p = await c.post(`${P}/tasks/${taskNo}/attachments/presign`, {
      filename: 'pub.txt',
      contentType: 'text/plain',
      size: data.length,
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(new URL(p.body.uploadUrl).host, pub.host, 'upload URL on the public host');
    const put = await fetch(p.body.uploadUrl, {
      method: 'PUT',
      headers: p.body.headers,
      body: data,
    });
    assert.equal(put.status, 200, await put.text());
    assert.equal((await c.post(`${P}/attachments/${p.body.attachment.id}/confirm`)).status, 200);
    const dl = await viewer.get(`${P}/attachments/${p.body.attachment.id}/download`);
    assert.equal(dl.status, 200);
    const u = new URL(dl.body.url);
    assert.equal(u.host, pub.host, 'download URL on the public host');
    assert.notEqual(u.host, internal.host);
    assert.equal(dl.body.expiresIn, 300);
    const got = await fetch(u);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), data.toString());
    assert.match(got.headers.get('content-disposition') ?? '', /filename\*=UTF-8''pub\.txt/);
    // Non-members still cannot get a URL.
    assert.equal(
      (await outsider.get(`${P}/attachments/${p.body.attachment.id}/download`)).status,
      404,
    );
  } finally {
    h.deps.storage = original;
  }
});
