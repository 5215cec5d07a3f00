// Very large JSONL datasets without loading them: an offset index (16 bytes a row), the layout detected from the first
// rows, and rows read, normalised and tokenized on demand by row number. Pair it with splitIndices (eval hold-out by
// seed) and seededPermutation (epoch order) to train on a file far larger than memory.
import { BadRows } from './bad-rows';
import { DataError } from './errors';
import { detectLayout, normalizeRow } from './layouts';
import { indexJsonl, JsonlRowReader } from './readers/jsonl';
import { checkRegularFile } from './readers';
import { tokenizePair } from './tokenize-pairs';
import type { TokenizedPair, TokenizeOptions } from './tokenize-pairs';
import type { Tokenizer } from './tokenizer';
import type { Layout, NormalizedPair } from './types';

const DETECT_ROWS = 50;

export class IndexedJsonl {
  private constructor(private readonly reader: JsonlRowReader, readonly layout: Layout, readonly sft: boolean) {}

  /** Indexes the file (streaming) and detects its layout from the first rows. */
  static async open(file: string, opts: { layout?: Layout; sft?: boolean } = {}): Promise<IndexedJsonl> {
    checkRegularFile(file);
    const index = await indexJsonl(file);
    if (index.count === 0) throw new DataError(`the dataset is empty: ${file} holds no rows`);
    const reader = new JsonlRowReader(index);
    let layout = opts.layout;
    if (!layout) {
      const first: unknown[] = [];
      for (let i = 0; i < Math.min(DETECT_ROWS, index.count); i++) { const r = reader.read(i); if (!r.parseError) first.push(r.row); }
      layout = detectLayout(first);
      if (!layout) { reader.close(); throw new DataError(`${file}: unknown dataset layout (first ${Math.min(DETECT_ROWS, index.count)} rows fit none)`); }
    }
    return new IndexedJsonl(reader, layout, !!opts.sft);
  }

  get count(): number { return this.reader.index.count; }
  get file(): string { return this.reader.index.file; }

  /** Row i normalised, or undefined after recording why it is bad (throws under bad_rows: fail). */
  read(i: number, bad: BadRows): NormalizedPair | undefined {
    const raw = this.reader.read(i);
    if (raw.parseError) { bad.add(raw.loc, raw.parseError); return undefined; }
    const n = normalizeRow(raw.row, this.layout, raw.loc, { allowEqual: this.sft });
    if (!n.ok) { bad.add(raw.loc, n.reason); return undefined; }
    return n.pair;
  }

  /** The rows at `indices`, tokenized; bad ones are recorded in `bad` and left out. */
  tokenize(indices: ArrayLike<number>, tok: Tokenizer, opts: TokenizeOptions, bad: BadRows): TokenizedPair[] {
    const out: TokenizedPair[] = [];
    for (let k = 0; k < indices.length; k++) {
      const pair = this.read(indices[k], bad);
      if (!pair) continue;
      const t = tokenizePair(pair, tok, opts);
      if ('reason' in t) bad.push(t);
      else out.push(t);
    }
    return out;
  }

  close(): void { this.reader.close(); }
}
