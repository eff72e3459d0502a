import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rank, type Candidate } from './rank.ts';
import { fold, highlight, indexTerms, parseQuery, snippet, MAX_PREFIX } from './text.ts';

const marked = (text: string, terms: string[]) =>
  highlight(text, terms).map((r) => text.slice(r.start, r.end));

test('fold: case, accents (composed or not), compatibility forms', () => {
  assert.equal(fold('Résumé'), 'resume');
  assert.equal(fold('re\u0301sume\u0301'), 'resume');
  assert.equal(fold('ÅNGSTRÖM'), 'angstrom');
  assert.equal(fold('ﬁle'), 'file');
  assert.equal(fold('İstanbul'), 'istanbul');
});

test('index terms: every prefix from 2 letters, capped length, one-letter words skipped', () => {
  const t = indexTerms(['Deploy a VM']);
  assert.deepEqual(t.sort(), ['de', 'dep', 'depl', 'deplo', 'deploy', 'vm'].sort());
  const long = indexTerms(['x'.repeat(50)]);
  assert.equal(Math.max(...long.map((s) => s.length)), MAX_PREFIX);
});

test('parseQuery: words, key, limits', () => {
  assert.deepEqual(parseQuery('  Deploy  PIPELINE deploy '), {
    terms: ['deploy', 'pipeline'],
    key: null,
  });
  assert.deepEqual(parseQuery('web-42'), {
    terms: ['web', '42'],
    key: { project: 'WEB', number: 42 },
  });
  assert.equal(parseQuery('a . *'), 'no_words');
  assert.equal(parseQuery('aa bb cc dd ee ff gg hh ii'), 'too_many_words');
  // Regex syntax is just punctuation between words.
  assert.deepEqual(parseQuery('(foo|bar)*'), { terms: ['foo', 'bar'], key: null });
});

test('highlight ranges point into the original text', () => {
  assert.deepEqual(marked('Résumé du CAFÉ', ['resume', 'caf']), ['Résumé', 'CAF']);
  assert.deepEqual(marked('re\u0301sume\u0301!', ['res']), ['re\u0301s']);
  assert.deepEqual(marked('deployment deploy', ['deploy', 'deployment']), ['deployment', 'deploy']);
  assert.deepEqual(marked('nothing here', ['zzz']), []);
});

test('snippet: excerpt around the first match with relative ranges', () => {
  const text = `${'lorem ipsum '.repeat(30)}the needle\n\nis here ${'dolor '.repeat(40)}`;
  const s = snippet(text, ['needle']);
  assert.ok(s);
  assert.ok(s.text.startsWith('…') && s.text.endsWith('…'));
  assert.ok(!s.text.includes('\n'));
  assert.deepEqual(
    s.highlights.map((r) => s.text.slice(r.start, r.end)),
    ['needle'],
  );
  assert.equal(snippet('no match', ['needle']), null);
});

test('rank: key, then matched words, then field, then recency', () => {
  const at = (n: number) => new Date(Date.UTC(2026, 0, n));
  const c = (
    id: string,
    title: string,
    description = '',
    extra: string[] = [],
    day = 1,
  ): Candidate => ({
    id,
    title,
    description,
    updatedAt: at(day),
    terms: new Set(indexTerms([title, description, ...extra])),
    keyMatch: false,
  });
  const cands = [
    c('a1', 'login'),
    c('a2', 'other', 'login crash'),
    c('a3', 'login crash', '', [], 2),
    c('a4', 'misc', '', ['login crash in comment']),
    c('a5', 'login', '', [], 3),
    { ...c('a6', 'unrelated'), keyMatch: true },
  ];
  const r = rank(cands, ['login', 'crash']);
  assert.deepEqual(
    r.map((x) => x.id),
    ['a6', 'a3', 'a2', 'a4', 'a5', 'a1'],
  );
});
