#!/usr/bin/env node
// Entry point of `kubectl-pms` (kubectl runs it as `kubectl pms …`), also the single
// executable's main (scripts/build.ts bundles from here).
import { main } from './cli.ts';

// `kubectl pms status | head` closes stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
