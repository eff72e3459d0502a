// Bytes of an uploaded file → Source: decodes UTF-8, detects the format when asked to
// (`auto`), and dispatches to the format's reader. Pure. Anything that is none of the supported
// formats is a 400 that says which formats are.
import type { AppError } from '../platform/errors.ts';
import { badRequest } from '../platform/errors.ts';
import { parseCsv } from './csv.ts';
import { readCsvTasks, type TCsvMapping } from './csv-tasks.ts';
import { looksLikePmsExport, readPmsJson } from './pms-json.ts';
import type { Source, TImportFormat } from './source.ts';
import { looksLikeTrello, readTrello, type TrelloOptions } from './trello.ts';

export interface ReadOptions {
  format: TImportFormat | 'auto';
  mapping?: TCsvMapping | undefined;
  checklists?: TrelloOptions['checklists'] | undefined;
}

const SUPPORTED =
  "CSV (this app's export, or any CSV with a column mapping), Trello board JSON, or this app's JSON export";

function unknownFormat(why: string): AppError {
  return badRequest(`Unknown import format: ${why}. Supported: ${SUPPORTED}`, [
    { path: 'query.format', message: why },
  ]);
}

export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw unknownFormat('the file is not UTF-8 text');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Malformed JSON: ${(err as Error).message}`, [
      { path: 'body', message: (err as Error).message },
    ]);
  }
}

export function readSource(bytes: Uint8Array, opts: ReadOptions): Source {
  const text = decodeText(bytes);
  if (text.trim() === '')
    throw badRequest('The file is empty', [{ path: 'body', message: 'empty' }]);
  // eslint-disable-next-line no-control-regex -- NUL bytes mean a binary file
  if (/\u0000/.test(text)) throw unknownFormat('the file is binary');
  let format = opts.format;
  let json: unknown;
  if (format === 'auto') {
    if (/^\s*[[{]/.test(text)) {
      json = parseJson(text);
      if (looksLikePmsExport(json)) format = 'pms-json';
      else if (looksLikeTrello(json)) format = 'trello';
      else throw unknownFormat('a JSON file that is neither a Trello board nor a PMS export');
    } else format = 'csv';
  }
  switch (format) {
    case 'csv': {
      const table = parseCsv(text);
      if (table.header.length < 1 || table.header.every((h) => h === ''))
        throw unknownFormat('no CSV header row');
      return readCsvTasks(table, opts.mapping);
    }
    case 'trello':
      return readTrello(json ?? parseJson(text), { checklists: opts.checklists ?? 'subtasks' });
    case 'pms-json':
      return readPmsJson(json ?? parseJson(text));
  }
}
