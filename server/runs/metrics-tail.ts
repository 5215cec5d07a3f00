// Incremental reader of a growing JSONL file (metrics.jsonl): remembers the byte offset and the line index it has
// consumed, reads only the bytes appended since, and never hands out a last line that has no newline yet (the
// trainer may be in the middle of writing it). Line indexes match readJsonl's in ./run-dir.ts, so a client can mix
// `metrics(id, from)` reads with appended-lines notifications.
import * as fs from 'node:fs';
import type { MetricsLine } from '../protocol/runs';

export interface TailRead {
  /** line index of the first line read in this call */
  from: number;
  /** parsed lines (JSON objects only; malformed complete lines are skipped but counted in the index) */
  lines: MetricsLine[];
  /** line index after this read */
  next: number;
}

const NL = 0x0a;
const CHUNK = 1 << 20;

export class MetricsTail {
  private offset = 0;
  private index = 0;
  private pending: Buffer = Buffer.alloc(0);

  constructor(readonly file: string) {}

  /** Line index of the next complete line to read. */
  get next(): number {
    return this.index;
  }

  /** Reads what was appended since the last call. A missing file reads as nothing; a shrunk file starts over. */
  read(): TailRead {
    const from = this.index;
    const lines: MetricsLine[] = [];
    try {
      if (fs.statSync(this.file).size === this.offset) return { from, lines, next: from }; // nothing new: one stat
    } catch {
      /* missing: handled below */
    }
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { from, lines, next: from };
      throw new Error(`${this.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.offset) {
        // never happens with an append-only writer; if the file was replaced, read it again from the start
        this.offset = 0;
        this.index = 0;
        this.pending = Buffer.alloc(0);
        return this.read();
      }
      while (this.offset < size) {
        const buf = Buffer.alloc(Math.min(CHUNK, size - this.offset));
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        let data = this.pending.length ? Buffer.concat([this.pending, buf.subarray(0, n)]) : buf.subarray(0, n);
        let start = 0;
        for (let nl = data.indexOf(NL, start); nl !== -1; nl = data.indexOf(NL, start)) {
          const raw = data.toString('utf8', start, nl).trim();
          start = nl + 1;
          this.index++;
          if (!raw) continue;
          try {
            const v = JSON.parse(raw);
            if (v && typeof v === 'object' && !Array.isArray(v)) lines.push(v as MetricsLine);
          } catch {
            /* a malformed complete line: counted, not returned (readJsonl reports these) */
          }
        }
        data = data.subarray(start);
        this.pending = Buffer.from(data); // copy: do not pin the whole chunk
      }
    } finally {
      fs.closeSync(fd);
    }
    return { from: from, lines, next: this.index };
  }
}

/** Whether a metrics line is an evaluation line (`eval_loss` etc.). */
export function isEvalLine(line: MetricsLine): boolean {
  return typeof line.eval_loss === 'number' || Object.keys(line).some((k) => k.startsWith('eval_'));
}

/** Whether a metrics line is a training line (has `loss`). */
export function isTrainLine(line: MetricsLine): boolean {
  return 'loss' in line && !isEvalLine(line); // a non-finite loss is written as null
}
