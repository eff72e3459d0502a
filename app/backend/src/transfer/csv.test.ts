import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../platform/errors.ts';
import {
  csvCell,
  csvLine,
  detectDelimiter,
  guardFormula,
  parseCsv,
  unclosedQuoteLine,
  unguardFormula,
} from './csv.ts';

const fails = (text: string, line: number | null, pattern: RegExp) => {
  assert.throws(
    () => parseCsv(text),
    (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.status, 400);
      assert.match(e.message, line === null ? /Malformed CSV/ : new RegExp(`at line ${line}:`));
      assert.match(e.message, pattern);
      return true;
    },
  );
};

test('parses quoted fields with commas, doubled quotes and line breaks (RFC 4180)', () => {
  const t = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\nplain,,""\r\n');
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.deepEqual(t.rows[0]?.cells, ['x, y', 'say "hi"', 'two\r\nlines']);
  assert.deepEqual(t.rows[1]?.cells, ['plain', '', '']);
});

test('a UTF-8 BOM is not part of the first header; no trailing newline is fine', () => {
  const t = parseCsv('\uFEFFTitle,State\nÄrger mit Umlauten,Todo');
  assert.deepEqual(t.header, ['Title', 'State']);
  assert.deepEqual(t.rows[0]?.cells, ['Ärger mit Umlauten', 'Todo']);
});

test('rows carry the line they start on, across quoted line breaks and blank lines', () => {
  const t = parseCsv('h1,h2\n"a\nb\nc",1\n\n\nx,2\ny,3\n');
  assert.deepEqual(
    t.rows.map((r) => r.line),
    [2, 7, 8],
  );
});

test('an unclosed quote is a 400 naming the line where the quote opened', () => {
  fails('title,state\nok,Todo\n"never closed,Todo\nmore,Done\n', 3, /never closed/);
  assert.equal(unclosedQuoteLine('a\n"b""c"\n"d\ne'), 3);
  assert.equal(unclosedQuoteLine('a,"b"\n'), null);
});

test('a row with more or fewer fields than the header is a 400 naming its line', () => {
  fails('title,state\nok,Todo\ntoo,many,fields\n', 3, /expected 2 fields.*got 3/);
  fails('title,state\n"multi\nline",Todo\nalone\n', 4, /expected 2 fields.*got 1/);
});

test('text after a closing quote is a 400 naming the line', () => {
  fails('title,state\n"bad"quote,Todo\n', 2, /closing quote/);
});

test('the delimiter is detected from the header (comma, semicolon, tab)', () => {
  assert.equal(detectDelimiter('a,b,c\n1;2;3;4;5'), ',');
  assert.equal(detectDelimiter('Titel;Status;"a,b"\n'), ';');
  assert.equal(detectDelimiter('\uFEFFa\tb\tc'), '\t');
  assert.equal(detectDelimiter('single'), ',');
  assert.deepEqual(parseCsv('Titel;Status\nEins;Offen\n').rows[0]?.cells, ['Eins', 'Offen']);
});

test('formula injection: cells starting with = + - @ tab CR get a leading quote', () => {
  for (const v of ['=1+1', '+SUM(A1)', '-2', '@cmd', '\tx', '\r=x'])
    assert.equal(guardFormula(v), `'${v}`);
  for (const v of ['plain', '1-2', 'a=b', '', "'quoted", ' =x']) assert.equal(guardFormula(v), v);
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
});

test('the guard is undone exactly: values that already start with quotes round-trip', () => {
  for (const v of ['=1', "'=1", "''=1", "'plain", 'plain', "'", '-', "'-"]) {
    assert.equal(unguardFormula(guardFormula(v)), v, JSON.stringify(v));
  }
});

test('csvCell quotes only when needed; csvLine ends with CRLF', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "x"'), '"say ""x"""');
  assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(3.5), '3.5');
  assert.equal(csvLine(['a', 'b,c', null]), 'a,"b,c",\r\n');
});

test('whatever is written reads back the same (after undoing the guard)', () => {
  const values = [
    'simple',
    'comma, inside',
    'quote " inside',
    '""',
    'multi\nline\r\nwith CRLF',
    '=cmd|" /C calc"!A0',
    '@SUM(1)',
    '-negative',
    "'already quoted",
    '',
    ' spaces ',
    'emoji 🚀 and ümlauts',
  ];
  const text = csvLine(['v', 'i']) + values.map((v, i) => csvLine([v, i])).join('');
  const t = parseCsv(text);
  assert.deepEqual(
    t.rows.map((r) => unguardFormula(r.cells[0] ?? '')),
    values,
  );
});
