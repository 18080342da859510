// CSV exactly as the engine's reader (cli/csv.cpp) reads it, for the puzzle files a user drops on the page:
// comma-separated fields, quoted fields ("" escapes a quote, and a quoted field may hold commas, spaces and
// newlines: maze rows), CRLF or LF line ends, blank lines skipped. Malformed input throws CsvError naming the line
// with the C++ reader's wording. tests/fixtures/csv_cases.json holds the cases both readers are tested against.

export class CsvError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CsvError';
  }
}

function fail(line, what) {
  throw new CsvError(`CSV line ${line}: ${what}`);
}

// Calls onRecord(fields, line) for every non-blank record as soon as it ends (line: 1-based, where it starts).
function scan(text, onRecord) {
  let record = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;     // inside a quoted field
  let wasQuoted = false;  // the current field was quoted (only a separator may follow the closing quote)
  let any = false;        // the current record has content (blank lines are skipped)

  const endRecord = () => {
    record.push(field);
    field = '';
    if (any) onRecord(record, recordLine);
    record = [];
    any = false;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\0') fail(line, 'NUL byte (not a text file?)');
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (wasQuoted && c !== ',' && c !== '\n' && c !== '\r') fail(line, 'text after a closing quote');
    if (c === '"') {
      if (field !== '') fail(line, 'quote inside an unquoted field');
      quoted = wasQuoted = any = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
      wasQuoted = false;
      any = true;
    } else if (c === '\r') {
      if (text[i + 1] !== '\n') fail(line, 'stray carriage return');  // CRLF: the \n ends the record
    } else if (c === '\n') {
      endRecord();
      wasQuoted = false;
      recordLine = ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) fail(recordLine, 'unterminated quoted field');
  endRecord();
}

// Every non-blank record as {fields, line}; no header handling (e.g. a list of `puzzle,solution` lines).
export function csvRecords(text) {
  const out = [];
  scan(text, (fields, line) => out.push({ fields, line }));
  return out;
}

// A table with a header line: {header, rows, lines}. Every row must have as many fields as the header.
export function parseCsv(text) {
  let header = null;
  const rows = [];
  const lines = [];
  scan(text, (fields, line) => {
    if (!header) {
      header = fields;
      return;
    }
    if (fields.length !== header.length) {
      fail(line, `expected ${header.length} fields like the header, got ${fields.length}`);
    }
    rows.push(fields);
    lines.push(line);
  });
  if (!header) throw new CsvError('CSV is empty (expected a header line)');
  return { header, rows, lines };
}
