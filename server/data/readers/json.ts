// .json: a top-level array of rows, or an object holding one under "data", "rows" or "train".
// Parsed whole (JSON has no streaming boundary short of a streaming parser); use .jsonl or .parquet for large data.
import { readFile } from 'node:fs/promises';
import { DataError } from '../errors';
import type { RawRow } from '../types';

const WRAPPER_KEYS = ['data', 'rows', 'train'] as const;

export async function* openJsonRows(file: string, opts: { limit?: number } = {}): AsyncGenerator<RawRow> {
  let text = await readFile(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  let rows: unknown[] | undefined;
  if (Array.isArray(value)) rows = value;
  else if (value && typeof value === 'object') {
    for (const k of WRAPPER_KEYS) {
      const v = (value as Record<string, unknown>)[k];
      if (Array.isArray(v)) { rows = v; break; }
    }
  }
  if (!rows) {
    throw new DataError(`${file}: expected a top-level array of rows, or an object with a "data", "rows" or "train" array`);
  }
  const limit = Math.min(opts.limit ?? Infinity, rows.length);
  for (let i = 0; i < limit; i++) yield { row: rows[i], loc: { file, index: i } };
}
