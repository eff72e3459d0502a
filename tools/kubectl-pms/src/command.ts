// What every command gets: parsed flags, the streams, a lazily opened API connection, colours.
import { stringFlag, type FlagSpec, type Parsed } from './args.ts';
import type { Paint } from './color.ts';
import { Kube } from './kube.ts';
import { connect } from './kubeconfig.ts';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface Ctx extends Io {
  args: Parsed;
  paint: Paint;
  now(): Date;
  kube(): Kube;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  usage: string;
  /** Longer description and examples for `--help`. */
  help: string;
  flags: FlagSpec[];
  run(ctx: Ctx): Promise<number>;
}

export function makeCtx(args: Parsed, io: Io, paint: Paint): Ctx {
  let kube: Kube | undefined;
  return {
    ...io,
    args,
    paint,
    now: () => new Date(),
    kube: () =>
      (kube ??= new Kube(
        connect(
          {
            kubeconfig: stringFlag(args, 'kubeconfig'),
            context: stringFlag(args, 'context'),
            namespace: stringFlag(args, 'namespace'),
          },
          io.env,
        ),
      )),
  };
}

/** Progress and notices go to stderr so stdout stays machine-readable. */
export function note(ctx: Ctx, line: string): void {
  ctx.stderr.write(`${line}\n`);
}
