// CSV in and out. Parsing is csv-parse (RFC 4180, quoted fields with commas, quotes and line
// breaks, a UTF-8 BOM); this module turns its errors into messages that name the line, and
// reports the line each record starts on so that the import report can point at rows. Writing is
// small enough to do here: RFC 4180 quoting plus the spreadsheet formula-injection guard.
import { CsvError, parse } from 'csv-parse/sync';
import { badRequest } from '../platform/errors.ts';

export interface CsvRow {
  /** 1-based line of the file the record starts on (a quoted line break spans lines). */
  line: number;
  cells: string[];
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
  delimiter: string;
}

const DELIMITERS = [',', ';', '\t'] as const;

/**
 * The delimiter of the first record: the candidate seen most often outside quotes (a comma wins
 * ties). Spreadsheets in many locales write `;`, and some tools write tabs.
 */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text.replace(/^\uFEFF/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** The line on which the last quoted field that is still open at the end of `text` began. */
export function unclosedQuoteLine(text: string): number | null {
  let line = 1;
  let openedAt: number | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    else if (ch === '"') {
      if (openedAt === null) openedAt = line;
      else if (text[i + 1] === '"') i++;
      else openedAt = null;
    }
  }
  return openedAt;
}

function malformed(line: number | null, reason: string): Error {
  const where = line === null ? 'CSV' : `line ${line}`;
  return badRequest(`Malformed CSV at ${where}: ${reason}`, [
    { path: line === null ? 'body' : `body.line.${line}`, message: reason },
  ]);
}

/**
 * Parses a whole CSV file: the first record is the header, every record must have as many
 * fields as the header, blank lines are skipped. Throws a 400 naming the line otherwise.
 */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): CsvTable {
  let out: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    // With `info`, each record comes as { record, info } (the typings do not model the option).
    out = parse(text, {
      bom: true,
      delimiter,
      info: true,
      skip_empty_lines: true,
    }) as unknown as typeof out;
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const e = err as CsvError & { lines?: number; record?: string[] };
    switch (e.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        throw malformed(
          unclosedQuoteLine(text.replace(/^\uFEFF/, '')),
          'a quoted field is never closed (unbalanced ")',
        );
      case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
        const m = /expect (\d+), got (\d+)/.exec(e.message);
        throw malformed(
          e.lines ?? null,
          m
            ? `expected ${m[1]} fields (as many as the header), got ${m[2]}`
            : 'the number of fields differs from the header',
        );
      }
      case 'CSV_INVALID_CLOSING_QUOTE':
        throw malformed(
          e.lines ?? null,
          'a closing quote is followed by text (write "" for a quote inside a field)',
        );
      default:
        throw malformed(e.lines ?? null, e.message.replace(/ at line \d+.*$/s, ''));
    }
  }
  const [head, ...body] = out;
  if (!head)
    throw badRequest('The CSV file is empty', [{ path: 'body', message: 'no header row' }]);
  const rows: CsvRow[] = [];
  let prevEnd = head.info.lines;
  let prevEmpty = head.info.empty_lines;
  for (const r of body) {
    rows.push({ line: prevEnd + 1 + (r.info.empty_lines - prevEmpty), cells: r.record });
    prevEnd = r.info.lines;
    prevEmpty = r.info.empty_lines;
  }
  return { header: head.record.map((h) => h.trim()), rows, delimiter };
}

// Writing --------------------------------------------------------------------------------------

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return that hides one) as
 * a formula (OWASP "CSV injection"): such cells get a leading `'`. So that the guard can be undone
 * exactly on re-import, a cell that already starts with quotes before one of those characters
 * gets one more quote too.
 */
const FORMULA = /^'*[=+\-@\t\r]/;
const GUARDED = /^''*[=+\-@\t\r]/;

export const guardFormula = (v: string): string => (FORMULA.test(v) ? `'${v}` : v);
/** The inverse of guardFormula (for files this app wrote). */
export const unguardFormula = (v: string): string => (GUARDED.test(v) ? v.slice(1) : v);

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const v = guardFormula(String(value));
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** One CSV record with its CRLF terminator (RFC 4180). */
export const csvLine = (cells: (string | number | null | undefined)[]): string =>
  `${cells.map(csvCell).join(',')}\r\n`;
