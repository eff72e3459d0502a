import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globalFlags, parseArgs, parseDuration } from './args.ts';
import type { UserError } from './errors.ts';

const specs = [
  ...globalFlags,
  { name: 'wait', short: 'w' },
  { name: 'output', short: 'o', value: true },
];

describe('parseArgs', () => {
  it('takes flags anywhere, in every kubectl spelling', () => {
    const p = parseArgs(['acme', '-n', 'ns1', '--output=json', '-w', '--context', 'c1'], specs);
    assert.deepEqual(p.positionals, ['acme']);
    assert.equal(p.flags.get('namespace'), 'ns1');
    assert.equal(p.flags.get('output'), 'json');
    assert.equal(p.flags.get('wait'), true);
    assert.equal(p.flags.get('context'), 'c1');
    assert.equal(parseArgs(['-nns2'], specs).flags.get('namespace'), 'ns2');
    assert.equal(parseArgs(['-n=ns3'], specs).flags.get('namespace'), 'ns3');
    assert.equal(parseArgs(['--wait=false'], specs).flags.has('wait'), false);
    assert.deepEqual(parseArgs(['--', '-x'], specs).positionals, ['-x']);
  });

  it('refuses unknown flags and missing values with exit code 2 and the help to read', () => {
    assert.throws(
      () => parseArgs(['--bogus'], specs, 'status'),
      (e: UserError) =>
        e.exitCode === 2 && e.message === 'unknown flag --bogus (see `kubectl pms status --help`)',
    );
    assert.throws(() => parseArgs(['-n'], specs), /flag --namespace needs a value/);
    assert.throws(() => parseArgs(['--wait=yes'], specs), /takes no value/);
  });
});

describe('parseDuration', () => {
  it('reads Go-style durations', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('45'), 45_000);
    assert.throws(() => parseDuration('soon'), /invalid duration "soon"/);
    assert.throws(() => parseDuration('5m later'), /invalid duration/);
  });
});
