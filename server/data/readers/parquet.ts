// .parquet via hyparquet, one row group at a time (a row group is the unit parquet compresses; HF datasets write
// them at ~100-1000 rows). Nested columns (lists of {role, content} structs) come back as plain JS objects.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { DataError } from '../errors';
import type { RawRow } from '../types';

/** An AsyncBuffer over a file descriptor: each slice is one positioned read. */
function fileBuffer(fd: number): AsyncBuffer {
  const byteLength = fstatSync(fd).size;
  return {
    byteLength,
    slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end === undefined ? byteLength : Math.min(end, byteLength);
      const out = new Uint8Array(Math.max(0, stop - start));
      let got = 0;
      while (got < out.length) {
        const n = readSync(fd, out, got, out.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return Promise.resolve(out.buffer);
    },
  };
}

/** Number of rows and row groups, reading only the footer. */
export async function parquetInfo(file: string): Promise<{ rows: number; rowGroups: number[]; columns: string[] }> {
  const fd = openSync(file, 'r');
  try {
    const md = await readMetadata(file, fileBuffer(fd));
    return { rows: Number(md.num_rows), rowGroups: md.row_groups.map((g) => Number(g.num_rows)), columns: md.schema.slice(1).filter((s) => s.name !== 'list' && s.name !== 'element' && s.name !== 'item').map((s) => s.name) };
  } finally { closeSync(fd); }
}

async function readMetadata(file: string, buf: AsyncBuffer): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(buf);
  } catch (e) {
    throw new DataError(`${file} is not a readable parquet file: ${(e as Error).message}`);
  }
}

export async function* openParquetRows(file: string, opts: { limit?: number } = {}): AsyncGenerator<RawRow> {
  const fd = openSync(file, 'r');
  try {
    const buf = fileBuffer(fd);
    const metadata = await readMetadata(file, buf);
    const limit = opts.limit ?? Infinity;
    let index = 0;
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const n = Number(group.num_rows);
      if (index >= limit) return;
      const rowEnd = groupStart + Math.min(n, limit - index);
      let rows: Record<string, unknown>[];
      try {
        rows = await parquetReadObjects({ file: buf, metadata, rowStart: groupStart, rowEnd, rowFormat: 'object' });
      } catch (e) {
        throw new DataError(`${file}: cannot read rows ${groupStart}..${rowEnd - 1}: ${(e as Error).message}`);
      }
      for (const row of rows) yield { row: toPlain(row), loc: { file, index: index++ } };
      groupStart += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** BigInt → number where safe (JSON-like values downstream). */
function toPlain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}
