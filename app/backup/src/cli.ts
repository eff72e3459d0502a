#!/usr/bin/env node
// pms-backup: back up and restore one PMS instance (MongoDB database + attachments bucket).
//   pms-backup backup [--timestamp <ts>]   archive + attachments + manifest, then prune
//                                          to KEEP_LAST when set
//   pms-backup restore <latest|ts|key>     verify, then drop-and-restore (see README.md)
//   pms-backup verify <latest|ts|key>      verify checksums and structure; change nothing
//   pms-backup prune                       keep the newest KEEP_LAST backups
//   pms-backup list [--json]               the complete backups of INSTANCE
//   pms-backup ensure-bucket [--wait S]    create the attachments bucket (S3_BUCKET) if
//                                          missing; waits up to S seconds (default 120) for
//                                          the endpoint (the operator's MinIO bucket Job)
// Exit codes: 0 success, 1 failure (message on stderr), 2 usage or configuration error.
import { writeFileSync } from 'node:fs';
import { runBackup } from './backup.ts';
import { ensureBucket } from './bucket.ts';
import { ConfigError, loadConfig, type TConfig } from './config.ts';
import { createLog, redact } from './log.ts';
import { isTimestamp, resolveBackupRef } from './manifest.ts';
import { listBackups, prune, readManifest } from './retention.ts';
import { runRestore, verifyBackup } from './restore.ts';
import { checkStore, openStore } from './s3.ts';

const USAGE = `usage: pms-backup <backup [--timestamp TS] | restore REF | verify REF | prune | list [--json] | ensure-bucket [--wait SECONDS]>
  REF is latest, a timestamp (20261125T152240123Z) or an object key (<instance>/<ts>.archive.gz)
  configuration: environment variables, see README.md`;

class UsageError extends Error {
  override name = 'UsageError';
}

function writeResult(cfg: TConfig, result: Record<string, unknown>): void {
  if (!cfg.resultFile) return;
  // Kubernetes keeps at most 4096 bytes of a termination message: keep it small.
  writeFileSync(cfg.resultFile, JSON.stringify(result).slice(0, 4000));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const cfg = loadConfig();
  const log = createLog(cfg.logLevel, cfg.secrets);
  const store = () => openStore(cfg.destination, cfg.timeoutMs);
  switch (command) {
    case 'backup': {
      const i = args.indexOf('--timestamp');
      const timestamp = i === -1 ? undefined : args[i + 1];
      if (timestamp !== undefined && !isTimestamp(timestamp)) {
        throw new UsageError(`--timestamp must look like 20261125T152240123Z`);
      }
      const r = await runBackup(cfg, log, timestamp ? { timestamp } : {});
      let pruned: string[] = [];
      if (cfg.keepLast !== undefined) {
        pruned = (await prune(store(), cfg.base, cfg.keepLast, log)).deleted;
      }
      writeResult(cfg, { ...r, pruned: pruned.length });
      process.stdout.write(`${JSON.stringify({ ...r, pruned })}\n`);
      return 0;
    }
    case 'restore':
    case 'verify': {
      const ref = args[0];
      if (!ref) throw new UsageError(`${command} needs a backup reference`);
      try {
        resolveBackupRef(ref, cfg.base); // validates the form before any I/O
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const r =
        command === 'restore' ? await runRestore(cfg, log, ref) : await verifyBackup(cfg, log, ref);
      writeResult(cfg, { ...r });
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return 0;
    }
    case 'prune': {
      if (cfg.keepLast === undefined) throw new UsageError('prune needs KEEP_LAST');
      const r = await prune(store(), cfg.base, cfg.keepLast, log);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return 0;
    }
    case 'list': {
      const s = store();
      await checkStore(s, 'backup destination');
      const entries = await listBackups(s, cfg.base);
      const rows = [];
      for (const e of entries) {
        const m = await readManifest(s, cfg.base, e.timestamp);
        rows.push({
          timestamp: e.timestamp,
          key: m.archive.key,
          size: m.archive.size,
          appVersion: m.appVersion,
          documents: m.collections.reduce((a, c) => a + c.count, 0),
          attachments: m.attachments.count,
        });
      }
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else {
        for (const r of rows) {
          process.stdout.write(
            `${r.timestamp}  ${String(r.size).padStart(12)} B  app ${r.appVersion}  ` +
              `${r.documents} docs  ${r.attachments} attachments  ${r.key}\n`,
          );
        }
      }
      return 0;
    }
    case 'ensure-bucket': {
      if (!cfg.attachments)
        throw new UsageError('ensure-bucket needs S3_BUCKET (the attachments bucket)');
      const i = args.indexOf('--wait');
      const wait = i === -1 ? 120 : Number(args[i + 1]);
      if (!Number.isFinite(wait) || wait < 0 || wait > 3600) {
        throw new UsageError('--wait takes seconds from 0 to 3600');
      }
      const r = await ensureBucket(cfg.attachments, {
        timeoutMs: cfg.timeoutMs,
        waitMs: wait * 1000,
        log,
      });
      writeResult(cfg, { ...r });
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

let secrets: string[] = [];
let resultFile: string | undefined;
try {
  ({ secrets, resultFile } = loadConfig());
} catch {
  // reported by main()
}
// The image runs node as PID 1 without an init (app/backup/Dockerfile): a PID 1 ignores signals
// it has no handler for, so SIGTERM (Job deletion, activeDeadlineSeconds) is handled here. The
// run is abandoned (no partial backup is ever complete: the manifest is written last) and the
// exit code is the one a signal-killed process would have.
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  process.on(signal, () => {
    const message = `pms-backup: interrupted by ${signal}`;
    process.stderr.write(`${message}\n`);
    if (resultFile) {
      try {
        writeFileSync(resultFile, JSON.stringify({ error: message }));
      } catch {
        // the message is on stderr anyway
      }
    }
    process.exit(code);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error;
    const usage = err instanceof UsageError || err instanceof ConfigError;
    const message = redact(`${err.name}: ${err.message}`, secrets);
    process.stderr.write(`pms-backup: ${message}\n${usage ? `${USAGE}\n` : ''}`);
    if (resultFile) {
      try {
        writeFileSync(resultFile, JSON.stringify({ error: message.slice(0, 3000) }));
      } catch {
        // the message is on stderr anyway
      }
    }
    process.exitCode = usage ? 2 : 1;
  },
);
