// A notification email goes API → BullMQ (Redis) → worker → SMTP, and arrives at a real SMTP
// server (smtp-server) listening in this process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { startWorker } from '../src/jobs/worker.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

interface Mail {
  to: string[];
  raw: string;
}
const inbox: Mail[] = [];
let smtp: SMTPServer;
let smtpPort: number;
let h: Harness;
let worker: Awaited<ReturnType<typeof startWorker>>;

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  const smtpEnv = {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    SMTP_SECURE: 'false',
    EMAIL_FROM: 'PMS <pms@example.com>',
  };
  h = await startHarness('email', smtpEnv);
  worker = await startWorker(loadConfig(h.env), createLogger('silent'), { ownDb: false });
});
after(async () => {
  await worker.close();
  await h.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

test('a mention sends an email through the worker to the SMTP sink', async () => {
  const admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const grace = await userClient(h, admin, 'Grace');
  await admin.post('/api/v1/projects', { key: 'MAIL', name: 'Mail' });
  await admin.post('/api/v1/projects/MAIL/members', { userId: grace.id, role: 'member' });
  const t = await admin.post('/api/v1/projects/MAIL/tasks', { title: 'Ship it' });
  await admin.post(`/api/v1/projects/MAIL/tasks/${t.body.number}/comments`, {
    body: 'Can you review, @grace?',
  });
  const deadline = Date.now() + 15_000;
  while (inbox.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(inbox.length, 1, 'one email arrived');
  const mail = inbox[0] as Mail;
  assert.deepEqual(mail.to, [grace.email]);
  assert.match(mail.raw, /Subject: \[MAIL-1\] Ada Admin mentioned you on MAIL-1: Ship it/);
  assert.match(mail.raw, /From: PMS <pms@example.com>/);
  assert.match(mail.raw, /\/projects\/MAIL\/tasks\/1/);
});
