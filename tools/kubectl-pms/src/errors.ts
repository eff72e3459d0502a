// One error type for everything the user can act on: main.ts prints its message as one line
// (the fix included) and exits with its code, without a stack trace.

/** 1: the operation failed (not found, API error, failed backup); 2: the command line is wrong. */
export type ExitCode = 1 | 2;

export class UserError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A wrong command line: exits 2 and points at the command's help. */
export function usageError(message: string, command?: string): UserError {
  const help = command ? `kubectl pms ${command} --help` : 'kubectl pms --help';
  return new UserError(`${message} (see \`${help}\`)`, 2);
}
