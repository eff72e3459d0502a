// Attachments round-trip through MinIO: streamed upload, presigned PUT + confirm, presigned
// GET, limits, delete removes the object.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Attachment } from '../src/attachments/model.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let c: Client;
let viewer: Client;
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

test('streamed upload, presigned download, delete removes the object', async () => {
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
  const got = Buffer.from(await (await fetch(dl.body.url)).arrayBuffer());
  assert.ok(got.equals(data), 'bytes round-trip through S3');
  const redirect = await viewer.get(`${P}/attachments/${up.body.id}/download?redirect=true`);
  assert.equal(redirect.status, 302);

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
  assert.equal(await (await fetch(dl.body.url)).text(), data.toString());
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
