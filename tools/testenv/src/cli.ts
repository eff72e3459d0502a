#!/usr/bin/env node
// testenv: real local services for tests and development.
//   install                 build/check every binary (cached)
//   up [--only a,b]         start services, write .testenv/env, leave them running
//   down                    stop everything started by `up`
//   status                  what is running, and where
//   print-env               `export TESTENV_…=…` lines for eval
//   run -- <cmd…>           run a command with the environment (reusing a running one, or
//                           starting one and stopping it afterwards)
import { spawn } from 'node:child_process';
import { down, up } from './env.ts';
import { checkDebianPrograms, installGoBinaries } from './install.ts';
import { envFile } from './paths.ts';
import { serviceNames, type ServiceName } from './services/types.ts';
import { exportLines, isHealthy, mergedEnv, readState } from './state.ts';

const log = (m: string) => process.stderr.write(`testenv: ${m}\n`);

function parseOnly(args: string[]): ServiceName[] {
  const i = args.indexOf('--only');
  if (i === -1) return [...serviceNames];
  const wanted = (args[i + 1] ?? '').split(',').filter(Boolean);
  const bad = wanted.filter((w) => !(serviceNames as readonly string[]).includes(w));
  if (bad.length > 0 || wanted.length === 0) {
    throw new Error(
      `--only takes a comma-separated list of: ${serviceNames.join(', ')} (got "${args[i + 1] ?? ''}")`,
    );
  }
  return wanted as ServiceName[];
}

function install(): void {
  const missing = checkDebianPrograms();
  if (missing.length > 0) throw new Error(missing.join('\n'));
  installGoBinaries(log);
}

async function ensureUp(services: ServiceName[]): Promise<boolean> {
  const existing = readState();
  if (existing && isHealthy(existing)) {
    const have = new Set(existing.services.map((s) => s.name));
    if (services.every((s) => have.has(s))) return false;
    log('running environment lacks some services; restarting it');
  }
  if (existing) await down(log);
  install();
  await up(services, log);
  log(`environment is up; connection details in ${envFile}`);
  return true;
}

function runCommand(cmd: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const [bin, ...rest] = cmd;
    if (!bin) throw new Error('run needs a command after --');
    const child = spawn(bin, rest, { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'install':
      install();
      return 0;
    case 'up':
      await ensureUp(parseOnly(args));
      console.log(exportLines(mergedEnv(readState() ?? { startedAt: '', services: [] })));
      return 0;
    case 'down':
      await down(log);
      return 0;
    case 'status': {
      const state = readState();
      if (!state) {
        console.log('not running');
        return 1;
      }
      console.log(
        `started ${state.startedAt}; ${isHealthy(state) ? 'all processes alive' : 'SOME PROCESSES DIED'}`,
      );
      for (const s of state.services) {
        console.log(
          `  ${s.name}: ${s.processes.map((p) => `${p.name}(pid ${p.pid}, log ${p.log})`).join(', ') || 'no process'}`,
        );
      }
      return isHealthy(state) ? 0 : 1;
    }
    case 'print-env': {
      const state = readState();
      if (!state) throw new Error('no environment is running: npm run env -- up');
      console.log(exportLines(mergedEnv(state)));
      return 0;
    }
    case 'run': {
      const sep = args.indexOf('--');
      const cmd = sep === -1 ? args : args.slice(sep + 1);
      const started = await ensureUp([...serviceNames]);
      const state = readState();
      if (!state) throw new Error('environment state missing after start-up');
      let code = 1;
      try {
        code = await runCommand(cmd, mergedEnv(state));
      } finally {
        if (started) await down(log);
      }
      return code;
    }
    default:
      console.error(
        `usage: testenv install | up [--only ${serviceNames.join(',')}] | down | status | print-env | run -- <command…>`,
      );
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
