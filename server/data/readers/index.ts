// openRows: one streaming reader for every supported file kind, chosen by extension.
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { DataError } from '../errors';
import type { RawRow } from '../types';
import { openJsonlRows } from './jsonl';
import { openJsonRows } from './json';
import { openParquetRows } from './parquet';

export const DATA_EXTENSIONS = ['.jsonl', '.json', '.parquet'] as const;

/** Throws a DataError unless `file` exists and is a regular file (not a folder, device, fifo or socket). */
export function checkRegularFile(file: string, what = 'dataset'): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new DataError(`${what} file not found: ${file}`);
  }
  if (st.isDirectory()) throw new DataError(`${what} ${file} is a folder, expected a .jsonl, .json or .parquet file`);
  if (!st.isFile()) throw new DataError(`${what} ${file} is not a regular file (device, fifo or socket)`);
}

export function dataKind(file: string): 'jsonl' | 'json' | 'parquet' {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  if (ext === '.parquet') return 'parquet';
  throw new DataError(`${file}: unsupported dataset extension "${ext || '(none)'}"; expected .jsonl, .json or .parquet`);
}

/**
 * Streams the rows of a dataset file with their location. Lines that are not JSON come back with `parseError` set
 * (the caller decides whether that is skipped or fatal).
 */
export function openRows(file: string, opts: { limit?: number } = {}): AsyncIterable<RawRow> {
  const kind = dataKind(file);
  checkRegularFile(file);
  switch (kind) {
    case 'jsonl': return openJsonlRows(file, opts);
    case 'json': return openJsonRows(file, opts);
    case 'parquet': return openParquetRows(file, opts);
  }
}

export { openJsonlRows, indexJsonl, JsonlRowReader } from './jsonl';
export type { JsonlIndex } from './jsonl';
export { openJsonRows } from './json';
export { openParquetRows, parquetInfo } from './parquet';
