// Text form of `status`: a summary block, then conditions, components and backups, laid out like
// `kubectl cnpg status`. Pure: colours come in as a Paint, the clock as `now`.
import { table, type Paint } from './color.ts';
import type { BackupRun, InstanceSummary, StatusModel } from './status-model.ts';
import { age, when } from './time.ts';

export function paintPhase(p: Paint, phase: string): string {
  if (phase === 'Ready' || phase === 'Succeeded') return p.green(phase);
  if (phase === 'Failed') return p.red(phase);
  return p.yellow(phase);
}

export function paintCondition(p: Paint, status: string): string {
  if (status === 'True') return p.green(status);
  if (status === 'False') return p.red(status);
  return p.yellow(status);
}

function backupLine(p: Paint, b: BackupRun, now: Date): string[] {
  return [
    b.name,
    paintPhase(p, b.phase),
    b.completed
      ? `${age(b.completed, now)} ago`
      : b.created
        ? `started ${age(b.created, now)} ago`
        : '',
    b.error ? p.red(b.error) : (b.objectKey ?? ''),
  ];
}

export function renderStatus(m: StatusModel, p: Paint, now: Date): string {
  const out: string[] = [];
  const field = (label: string, value: string) => out.push(`${label.padEnd(16)} ${value}`);
  out.push(p.bold(`PmsInstance ${m.name}`) + p.dim(` (namespace ${m.namespace})`));
  field('Phase:', paintPhase(p, m.phase));
  field('Ready:', paintCondition(p, m.ready));
  field('URL:', m.url ?? p.dim('(not yet known)'));
  const version =
    m.version && m.specVersion && m.version !== m.specVersion
      ? p.yellow(`${m.version} (upgrading to ${m.specVersion})`)
      : (m.version ?? m.specVersion ?? '?');
  field('Version:', version);
  if (m.generation !== undefined) {
    const seen = m.observedGeneration ?? 0;
    const g = `${m.generation}, observed ${m.observedGeneration ?? 'none'}`;
    field(
      'Generation:',
      seen < m.generation ? p.yellow(`${g} (the operator has not caught up)`) : g,
    );
  }

  out.push('', p.bold('Conditions'));
  if (m.conditions.length === 0) out.push(p.yellow('  none yet: is the operator running?'));
  else {
    const rows = m.conditions.map((c) => [
      c.type,
      paintCondition(p, c.status),
      c.reason ?? '',
      c.lastTransitionTime ? age(c.lastTransitionTime, now) : '',
      c.message ?? '',
    ]);
    out.push(indent(table([['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], ...rows])));
  }

  out.push('', p.bold('Components'));
  if (m.children.length === 0) out.push(p.yellow('  no Deployments or StatefulSets yet'));
  else {
    const rows = m.children.map((c) => [
      c.component,
      `${c.kind}/${c.name}`,
      `${c.ready}/${c.desired}`,
      c.health === 'ok'
        ? p.green('OK')
        : c.health === 'scaledDown'
          ? p.yellow('Scaled down')
          : p.red('Not ready'),
    ]);
    out.push(indent(table([['COMPONENT', 'WORKLOAD', 'READY', 'HEALTH'], ...rows])));
  }

  out.push('', p.bold('Backups'));
  if (m.schedule) {
    const s = m.schedule;
    field(
      '  Schedule:',
      `${s.schedule ?? '?'} (CronJob ${s.cronJob}${s.suspended ? ', ' + p.yellow('suspended') : ''})`,
    );
    field('  Last run:', when(s.lastScheduleTime, now));
    field(
      '  Last success:',
      s.lastSuccessfulTime ? when(s.lastSuccessfulTime, now) : p.yellow('never'),
    );
  } else {
    out.push(p.dim('  no backup schedule (spec.backup.enabled is false)'));
  }
  if (m.lastBackup) {
    const lb = m.lastBackup;
    const result = lb.result ? paintPhase(p, lb.result) : '?';
    field('  Last backup:', `${result} ${when(lb.time, now)}${lb.name ? ` by ${lb.name}` : ''}`);
    if (lb.location) field('  Location:', lb.location);
  } else {
    field('  Last backup:', p.yellow('none recorded'));
  }
  if (m.backups.length > 0) {
    out.push('', p.bold('On-demand backups') + p.dim(' (newest first)'));
    const rows = m.backups.map((b) => backupLine(p, b, now));
    out.push(indent(table([['NAME', 'PHASE', 'WHEN', 'ARCHIVE / ERROR'], ...rows])));
  }
  if (m.restore) {
    out.push('', p.bold('Latest restore'));
    out.push(
      indent(table([['NAME', 'PHASE', 'WHEN', 'ARCHIVE / ERROR'], backupLine(p, m.restore, now)])),
    );
  }
  return out.join('\n') + '\n';
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export function renderSummaryTable(
  items: readonly InstanceSummary[],
  p: Paint,
  now: Date,
  withNamespace: boolean,
): string {
  const head = ['NAME', 'READY', 'PHASE', 'VERSION', 'URL', 'LAST BACKUP', 'AGE'];
  const rows = items.map((i) => {
    const lb = i.lastBackup
      ? `${i.lastBackup.result ? paintPhase(p, i.lastBackup.result) : '?'} ${age(i.lastBackup.time, now)} ago`
      : '-';
    const row = [
      i.name,
      paintCondition(p, i.ready),
      paintPhase(p, i.phase),
      i.version ?? '-',
      i.url ?? '-',
      lb,
      age(i.created, now),
    ];
    return withNamespace ? [i.namespace, ...row] : row;
  });
  return table([withNamespace ? ['NAMESPACE', ...head] : head, ...rows]) + '\n';
}
