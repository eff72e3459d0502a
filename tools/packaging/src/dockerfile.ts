// A small Dockerfile reader for the image rules: instructions (continuation lines joined,
// comments dropped) grouped into build stages.
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /**
   * The image or earlier stage this stage starts from, with `${ARG}` references resolved to the
   * defaults of the ARGs declared before the first FROM (what a build without --build-arg uses).
   */
  from: string;
  /** The ARG named in the FROM line (`FROM ${BASE_IMAGE}`), if any. */
  fromArg?: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  let current = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (current === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (current !== '' && trimmed.startsWith('#')) continue;
    if (current === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      current += `${trimmed.slice(0, -1).trimEnd()} `;
      continue;
    }
    current += trimmed;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(current);
    if (!m) throw new Error(`line ${start}: cannot parse "${current}"`);
    instructions.push({ keyword: (m[1] ?? '').toUpperCase(), args: m[2] ?? '', line: start });
    current = '';
  }
  if (current !== '') throw new Error('the Dockerfile ends inside a continued line');

  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args.trim());
      if (!m) throw new Error(`line ${ins.line}: cannot parse FROM ${ins.args}`);
      const raw = m[1] ?? '';
      const ref = /^\$\{?(\w+)\}?$/.exec(raw)?.[1];
      if (ref !== undefined && !globalArgs.has(ref)) {
        throw new Error(
          `line ${ins.line}: FROM ${raw} needs an ARG ${ref} with a default before it`,
        );
      }
      const from = ref === undefined ? raw : (globalArgs.get(ref) ?? '');
      stages.push({ from, fromArg: ref, name: m[2], instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) {
        if (ins.keyword === 'ARG') {
          const a = /^(\w+)(?:=(\S*))?$/.exec(ins.args.trim());
          if (a?.[1]) globalArgs.set(a[1], a[2] ?? '');
          continue;
        }
        throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      }
      stage.instructions.push(ins);
    }
  }
  return stages;
}

/** `COPY --from=<stage>` sources: the stage names (or images) a stage copies from. */
export function copyFrom(ins: Instruction): string | undefined {
  return /--from=(\S+)/.exec(ins.args)?.[1];
}
