// Running a program as an image's numeric USER: via setpriv when the tests run as root, so that
// nothing the program does not own is writable for it (what a read-only root file system and a
// non-root USER give it in a container). That needs every directory on the way to the program,
// its code and the node binary to be reachable by others; where they are not (a checkout under
// a private home directory), the program runs as the current user and the caller says so.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function reachableByOthers(path: string): boolean {
  let p = resolve(path);
  for (;;) {
    try {
      const mode = statSync(p).mode;
      if ((mode & 0o001) === 0 && statSync(p).isDirectory()) return false;
      if ((mode & 0o004) === 0) return false;
    } catch {
      return false;
    }
    const parent = dirname(p);
    if (parent === p) return true;
    p = parent;
  }
}

export interface ImageUserCommand {
  /** The program and its arguments, prefixed with setpriv when it applies. */
  argv: string[];
  /** Why the program runs as the current user instead, if it does. */
  fallback?: string;
}

/** `user` is the Dockerfile's USER (`uid` or `uid:gid`); `paths` must be reachable for it. */
export function asImageUser(user: string, argv: string[], paths: string[]): ImageUserCommand {
  const m = /^(\d+)(?::(\d+))?$/.exec(user.trim());
  if (!m) throw new Error(`USER ${user} is not numeric`);
  if (process.getuid?.() !== 0) return { argv, fallback: 'the tests do not run as root' };
  const blocked = [argv[0] ?? '', ...paths].filter((p) => !reachableByOthers(p));
  if (blocked.length > 0) {
    return { argv, fallback: `not reachable by other users: ${blocked.join(', ')}` };
  }
  const [, uid, gid] = m;
  return {
    argv: ['setpriv', `--reuid=${uid}`, `--regid=${gid ?? uid}`, '--clear-groups', ...argv],
  };
}
