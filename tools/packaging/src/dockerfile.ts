// A small Dockerfile reader for the image rules: instructions (continuation lines joined,
// comments dropped) grouped into build stages.
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /** The image or earlier stage this stage starts from. */
  from: string;
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
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args.trim());
      if (!m) throw new Error(`line ${ins.line}: cannot parse FROM ${ins.args}`);
      stages.push({ from: m[1] ?? '', name: m[2], instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) {
        if (ins.keyword === 'ARG') continue;
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
