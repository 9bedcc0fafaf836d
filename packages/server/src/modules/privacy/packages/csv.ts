/**
 * JSON to CSV for access packages: one CSV per top-level array of a system's result (columns are
 * the union of its items' keys, nested values as JSON), and one `fields.csv` of every other
 * top-level value flattened to dotted paths. Cells that a spreadsheet would run as a formula are
 * prefixed with an apostrophe (CSV injection).
 */

export interface CsvFile {
  /** File name without the folder: `<key>.csv` or `fields.csv`. */
  name: string;
  text: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const row = (cells: unknown[]) => `${cells.map(cell).join(',')}\r\n`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A file name part from a JSON key: letters, digits, dot, dash and underscore only. */
export function safeName(key: string): string {
  const cleaned = key.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return cleaned.slice(0, 80) || 'data';
}

function arrayCsv(items: unknown[]): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  let scalars = false;
  for (const item of items) {
    if (!isRecord(item)) {
      scalars = true;
      continue;
    }
    for (const key of Object.keys(item)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const header = scalars ? [...columns, 'value'] : columns;
  let text = row(header);
  for (const item of items) {
    const values = isRecord(item) ? columns.map((c) => item[c]) : columns.map(() => null);
    text += row(scalars ? [...values, isRecord(item) ? null : item] : values);
  }
  return text;
}

function flatten(value: unknown, path: string, out: [string, unknown][]): void {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, path ? `${path}.${key}` : key, out);
    return;
  }
  out.push([path, value]);
}

/** The CSV files of one system's result. */
export function toCsvFiles(result: unknown): CsvFile[] {
  if (Array.isArray(result)) return [{ name: 'data.csv', text: arrayCsv(result) }];
  if (!isRecord(result))
    return [{ name: 'fields.csv', text: row(['field', 'value']) + row(['value', result]) }];
  const files: CsvFile[] = [];
  const names = new Set<string>(['fields.csv']);
  const fields: [string, unknown][] = [];
  for (const [key, value] of Object.entries(result)) {
    if (!Array.isArray(value)) {
      flatten(value, key, fields);
      continue;
    }
    let name = `${safeName(key)}.csv`;
    for (let n = 2; names.has(name); n++) name = `${safeName(key)}-${n}.csv`;
    names.add(name);
    files.push({ name, text: arrayCsv(value) });
  }
  if (fields.length > 0 || files.length === 0) {
    files.unshift({ name: 'fields.csv', text: row(['field', 'value']) + fields.map(row).join('') });
  }
  return files;
}
