import type { BadRow } from './types';

/** Any problem with the data a user can fix: a missing file, a bad row under bad_rows: fail, an empty dataset. */
export class DataError extends Error {
  constructor(message: string, readonly badRow?: BadRow) {
    super(message);
    this.name = 'DataError';
  }
}

/** "file.jsonl line 12 (row 11)" or "file.parquet row 11" */
export function describeLocation(loc: { file: string; line?: number; index: number }): string {
  return loc.line !== undefined ? `${loc.file} line ${loc.line} (row ${loc.index})` : `${loc.file} row ${loc.index}`;
}
