// JSONL: one JSON value a line. Read by streams (never the whole file in memory). Blank lines are skipped but
// counted in line numbers. `indexJsonl` records where every non-blank line starts so that a very large file can be
// shuffled, split and read row by row by offset (16 bytes a row: 1e6 rows ≈ 16 MB).
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import type { RawRow } from '../types';

const NL = 0x0a;
const CHUNK = 1 << 20;

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** Parses one line's bytes; strips a UTF-8 BOM and a trailing CR. */
export function parseJsonLine(bytes: Buffer, file: string, line: number, index: number, byteOffset: number): RawRow {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const loc = { file, line, index, byteOffset };
  try {
    return { row: JSON.parse(text), loc };
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    const preview = text.length > 60 ? text.slice(0, 60) + '…' : text;
    return { row: undefined, loc, parseError: `not JSON (line ${line}): ${msg}; text: ${JSON.stringify(preview)}` };
  }
}

/** The non-blank lines found in one chunk: line i is buf[starts[i], ends[i]), at file offset base + starts[i]. */
interface LineSpans { buf: Buffer; base: number; starts: number[]; ends: number[]; lines: number[] }

/**
 * Streams a file in 1 MiB chunks and yields, per chunk, where its complete non-blank lines are (a line straddling two
 * chunks is carried into the next). No per-line allocation, so a million-line file indexes in little memory.
 */
async function* jsonlSpans(file: string): AsyncGenerator<LineSpans> {
  const stream = createReadStream(file, { highWaterMark: CHUNK });
  let carry: Buffer | null = null;
  let carryOffset = 0; // byte offset of carry[0] in the file
  let pos = 0; // byte offset of the next chunk
  let line = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf: Buffer = chunk;
      let base = pos;
      if (carry) { buf = Buffer.concat([carry, chunk]); base = carryOffset; carry = null; }
      pos += chunk.length;
      const spans: LineSpans = { buf, base, starts: [], ends: [], lines: [] };
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(NL, start);
        if (nl < 0) break;
        line++;
        if (!isBlank(buf, start, nl)) { spans.starts.push(start); spans.ends.push(nl); spans.lines.push(line); }
        start = nl + 1;
      }
      if (start < buf.length) { carry = Buffer.from(buf.subarray(start)); carryOffset = base + start; }
      if (spans.starts.length) yield spans;
    }
    if (carry && !isBlank(carry, 0, carry.length)) yield { buf: carry, base: carryOffset, starts: [0], ends: [carry.length], lines: [line + 1] };
  } finally {
    stream.destroy();
  }
}

/** Streams the rows of a JSONL file. `limit` stops after that many non-blank lines. */
export async function* openJsonlRows(file: string, opts: { limit?: number } = {}): AsyncGenerator<RawRow> {
  const limit = opts.limit ?? Infinity;
  let index = 0;
  for await (const s of jsonlSpans(file)) {
    for (let i = 0; i < s.starts.length; i++) {
      if (index >= limit) return;
      yield parseJsonLine(s.buf.subarray(s.starts[i], s.ends[i]), file, s.lines[i], index++, s.base + s.starts[i]);
    }
  }
}

/** Where each non-blank line of a JSONL file is: row i spans bytes [offsets[i], offsets[i] + lengths[i]). */
export interface JsonlIndex {
  file: string;
  count: number;
  offsets: Float64Array;
  lengths: Uint32Array;
  /** 1-based line number of each row */
  lines: Uint32Array;
}

/** Builds the offset index of a JSONL file by streaming it (the file is never held whole). */
export async function indexJsonl(file: string): Promise<JsonlIndex> {
  let cap = 1024;
  let offsets = new Float64Array(cap);
  let lengths = new Uint32Array(cap);
  let lines = new Uint32Array(cap);
  let count = 0;
  for await (const s of jsonlSpans(file)) for (let i = 0; i < s.starts.length; i++) {
    if (count === cap) {
      cap *= 2;
      const o = new Float64Array(cap); o.set(offsets); offsets = o;
      const l = new Uint32Array(cap); l.set(lengths); lengths = l;
      const n = new Uint32Array(cap); n.set(lines); lines = n;
    }
    offsets[count] = s.base + s.starts[i];
    lengths[count] = s.ends[i] - s.starts[i];
    lines[count] = s.lines[i];
    count++;
  }
  return { file, count, offsets: offsets.slice(0, count), lengths: lengths.slice(0, count), lines: lines.slice(0, count) };
}

/** Reads rows of an indexed JSONL file by row number, one positioned read each. Call close() when done. */
export class JsonlRowReader {
  private fd: number | null;
  private buf = Buffer.alloc(64 * 1024);

  constructor(readonly index: JsonlIndex) {
    this.fd = openSync(index.file, 'r');
  }

  read(i: number): RawRow {
    if (this.fd === null) throw new Error(`JsonlRowReader for ${this.index.file} is closed`);
    if (!(i >= 0 && i < this.index.count)) throw new RangeError(`row ${i} is out of range: ${this.index.file} has ${this.index.count} rows`);
    const len = this.index.lengths[i];
    if (this.buf.length < len) this.buf = Buffer.alloc(Math.max(len, this.buf.length * 2));
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, this.buf, got, len - got, this.index.offsets[i] + got);
      if (n === 0) break;
      got += n;
    }
    return parseJsonLine(this.buf.subarray(0, got), this.index.file, this.index.lines[i], i, this.index.offsets[i]);
  }

  close(): void {
    if (this.fd !== null) { closeSync(this.fd); this.fd = null; }
  }
}
