import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyFrom, parseDockerfile } from './dockerfile.ts';

describe('parseDockerfile', () => {
  it('groups instructions into stages and joins continued lines', () => {
    const stages = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1.7',
        'ARG X=1',
        'FROM node:24.1.0-bookworm-slim AS deps',
        'RUN npm ci \\',
        '    # a comment inside',
        '    --omit=dev',
        '',
        'FROM deps AS runtime',
        'COPY --from=deps /src/node_modules ./node_modules',
        'USER 10001:10001',
      ].join('\n'),
    );
    assert.equal(stages.length, 2);
    assert.deepEqual(
      stages.map((s) => [s.from, s.name]),
      [
        ['node:24.1.0-bookworm-slim', 'deps'],
        ['deps', 'runtime'],
      ],
    );
    assert.equal(stages[0]?.instructions[0]?.args, 'npm ci --omit=dev');
    assert.equal(stages[0]?.instructions[0]?.line, 4);
    const copy = stages[1]?.instructions[0];
    assert.ok(copy);
    assert.equal(copyFrom(copy), 'deps');
  });

  it('resolves FROM ${ARG} to the default of an ARG declared before the first FROM', () => {
    const stages = parseDockerfile(
      [
        'ARG BASE_IMAGE=node:24.21.0-bookworm-slim',
        'FROM ${BASE_IMAGE} AS deps',
        'FROM $BASE_IMAGE',
      ].join('\n'),
    );
    assert.deepEqual(
      stages.map((s) => [s.from, s.fromArg]),
      [
        ['node:24.21.0-bookworm-slim', 'BASE_IMAGE'],
        ['node:24.21.0-bookworm-slim', 'BASE_IMAGE'],
      ],
    );
    assert.throws(() => parseDockerfile('FROM ${NOPE}'), /needs an ARG NOPE/);
  });

  it('rejects instructions before FROM and dangling continuations', () => {
    assert.throws(() => parseDockerfile('RUN true\nFROM x:1'), /before the first FROM/);
    assert.throws(() => parseDockerfile('FROM x:1\nRUN true \\'), /continued line/);
  });
});
