// A cache of tokenized datasets, so a re-run (or a second run on the same data) skips minutes of tokenization.
// Keyed by everything the result depends on: the data files (path, size, mtime), the tokenizer files' bytes, the chat
// template and the options. Two files per entry: <key>.json (report, pair lengths and locations) and <key>.bin (all
// token ids, int32 little-endian). Written to a temporary name and renamed, so a reader never sees half an entry.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenizedPair } from './tokenize-pairs';
import type { Tokenizer } from './tokenizer';

const VERSION = 2;

export interface CachedData<R> { train: TokenizedPair[]; eval: TokenizedPair[]; report: R }

function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${file}:${st.size}:${st.mtimeMs}`;
  } catch {
    return `${file}:missing`;
  }
}

/** The cache key of a dataset load: data files, tokenizer files and options. */
export function cacheKey(dataFiles: string[], tok: Tokenizer, options: unknown): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: VERSION, files: dataFiles.map(fileStamp), options }));
  for (const name of ['tokenizer.json', 'tokenizer_config.json', 'config.json']) {
    try { h.update(readFileSync(join(tok.dir, name))); } catch { h.update(`no ${name}`); }
  }
  h.update(String(tok.bosId) + '/' + tok.eosId);
  return h.digest('hex').slice(0, 32);
}

type Row = [number, number, number, number, number, number, number, number, number]; // pLen cLen rLen rpLen(-1) truncated file line(-1) index byteOffset(-1)

export function writeCache<R>(dir: string, key: string, data: CachedData<R>): void {
  mkdirSync(dir, { recursive: true });
  const all = [...data.train, ...data.eval];
  const files: string[] = [];
  const fileIdx = new Map<string, number>();
  let total = 0;
  for (const p of all) total += p.promptIds.length + p.chosenIds.length + p.rejectedIds.length + (p.rejectedPromptIds?.length ?? 0);
  const ids = new Int32Array(total);
  const rows: Row[] = [];
  let o = 0;
  for (const p of all) {
    let fi = fileIdx.get(p.loc.file);
    if (fi === undefined) { fi = files.length; files.push(p.loc.file); fileIdx.set(p.loc.file, fi); }
    rows.push([p.promptIds.length, p.chosenIds.length, p.rejectedIds.length, p.rejectedPromptIds ? p.rejectedPromptIds.length : -1, p.truncated ? 1 : 0, fi, p.loc.line ?? -1, p.loc.index, p.loc.byteOffset ?? -1]);
    for (const a of [p.promptIds, p.chosenIds, p.rejectedIds, p.rejectedPromptIds]) if (a) { ids.set(a, o); o += a.length; }
  }
  const meta = JSON.stringify({ v: VERSION, train: data.train.length, eval: data.eval.length, total, files, rows, report: data.report });
  const tmp = `.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(join(dir, key + '.bin' + tmp), new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
  writeFileSync(join(dir, key + '.json' + tmp), meta);
  renameSync(join(dir, key + '.bin' + tmp), join(dir, key + '.bin'));
  renameSync(join(dir, key + '.json' + tmp), join(dir, key + '.json'));
}

/** The cached entry, or undefined when there is none or it is unreadable (then the caller tokenizes again). */
export function readCache<R>(dir: string, key: string): CachedData<R> | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, key + '.json'), 'utf8')) as { v: number; train: number; eval: number; total: number; files: string[]; rows: Row[]; report: R };
    if (meta.v !== VERSION) return undefined;
    const buf = readFileSync(join(dir, key + '.bin'));
    if (buf.byteLength !== meta.total * 4) return undefined;
    const ids = new Int32Array(meta.total);
    new Uint8Array(ids.buffer).set(buf);
    let o = 0;
    const take = (n: number) => { const a = ids.slice(o, o + n); o += n; return a; };
    const pairs: TokenizedPair[] = meta.rows.map(([pl, cl, rl, rpl, tr, fi, line, index, byteOffset]) => {
      const p: TokenizedPair = { promptIds: take(pl), chosenIds: take(cl), rejectedIds: take(rl), truncated: tr === 1, loc: { file: meta.files[fi], ...(line >= 0 ? { line } : {}), index, ...(byteOffset >= 0 ? { byteOffset } : {}) } };
      if (rpl >= 0) p.rejectedPromptIds = take(rpl);
      return p;
    });
    return { train: pairs.slice(0, meta.train), eval: pairs.slice(meta.train), report: meta.report };
  } catch {
    return undefined;
  }
}
