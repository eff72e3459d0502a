// Waits for a child process to exit, at most `ms`. The timer is cleared on exit: a pending one
// would keep the test file's process alive after its tests (the suite runs without
// --test-force-exit).
import type { ChildProcess } from 'node:child_process';

/** The child's exit code, or 'timeout'. */
export function exitCode(child: ChildProcess, ms: number): Promise<number | null | 'timeout'> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
