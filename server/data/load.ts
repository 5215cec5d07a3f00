// Top level: resolve → read → detect layout → normalise → tokenize → split, with one bad-row policy throughout.
import { basename } from 'node:path';
import { BadRows } from './bad-rows';
import { cacheKey, readCache, writeCache } from './cache';
import { DataError } from './errors';
import { resolveDataset } from './hub-cache';
import { detectLayout, normalizeRow } from './layouts';
import { openRows } from './readers';
import { splitRows } from './split';
import { tokenizePairs } from './tokenize-pairs';
import type { TokenizedPair, TokenizeOptions, TokenizeResult, TruncationMode } from './tokenize-pairs';
import type { Tokenizer } from './tokenizer';
import type { BadRow, BadRowsMode, Layout, NormalizedPair, RawRow } from './types';
import type { Algorithm } from '../config/types';

const DETECT_ROWS = 50;

export interface ReadResult {
  layout: Layout | undefined;
  pairs: NormalizedPair[];
  totalRows: number;
}

/**
 * Reads and normalises the rows of some files (shards of one dataset). The layout is detected from the first
 * valid rows of the first file unless given. Bad rows go to `bad` (which throws under bad_rows: fail).
 */
export async function readPairs(files: string[], bad: BadRows, opts: { layout?: Layout; limit?: number; sft?: boolean } = {}): Promise<ReadResult> {
  let layout = opts.layout;
  const pairs: NormalizedPair[] = [];
  let totalRows = 0;
  const limit = opts.limit ?? Infinity;
  const take = (raw: RawRow) => {
    if (raw.parseError) { bad.add(raw.loc, raw.parseError); return; }
    if (!layout) return;
    const n = normalizeRow(raw.row, layout, raw.loc, { allowEqual: opts.sft });
    if (n.ok) pairs.push(n.pair);
    else bad.add(raw.loc, n.reason);
  };
  for (const file of files) {
    const pending: RawRow[] = [];
    for await (const raw of openRows(file, { limit: limit - totalRows })) {
      totalRows++;
      if (layout) { take(raw); continue; }
      pending.push(raw);
      if (pending.length >= DETECT_ROWS) { layout = detectOrFail(pending, file); pending.splice(0).forEach(take); }
    }
    if (!layout && pending.length) layout = detectOrFail(pending, file);
    pending.splice(0).forEach(take);
    if (totalRows >= limit) break;
  }
  return { layout, pairs, totalRows };
}

function detectOrFail(rows: RawRow[], file: string): Layout | undefined {
  const parsed = rows.filter((r) => !r.parseError).map((r) => r.row);
  const layout = detectLayout(parsed);
  if (!layout && parsed.length) {
    const first = parsed.find((r) => r && typeof r === 'object' && !Array.isArray(r)) as Record<string, unknown> | undefined;
    const keys = first ? Object.keys(first).join(', ') || '(none)' : '(rows are not objects)';
    throw new DataError(`${file}: unknown dataset layout. Expected prompt/chosen/rejected strings, chosen/rejected chat message lists ({role, content}), or hh-rlhf transcripts; the first rows have fields: ${keys}`);
  }
  return layout;
}

export interface PeekResult {
  layout: Layout | undefined;
  rows: NormalizedPair[];
  bad: BadRow[];
  /** rows read (≤ n) */
  read: number;
}

/** The first n rows of a dataset file, normalised, for validation and previews. Never throws for bad rows. */
export async function peekDataset(file: string, n = 20): Promise<PeekResult> {
  const bad = new BadRows('skip', n);
  const r = await readPairs([file], bad, { limit: n });
  return { layout: r.layout, rows: r.pairs, bad: bad.listed, read: r.totalRows };
}

/** The config keys loadPreferenceData reads (snake_case, as in SimpoConfig), plus where relative paths start. */
export interface PreferenceDataOptions {
  baseDir: string;
  dataset: string | null;
  dataset_mixer?: Record<string, number> | null;
  dataset_splits?: string[];
  eval_dataset?: string | null;
  eval_split_ratio?: number;
  bad_rows?: BadRowsMode;
  max_length: number;
  max_prompt_length: number;
  truncation_mode?: TruncationMode;
  algorithm?: Algorithm;
  seed?: number;
  /** called every 1000 pairs while tokenizing (large datasets take minutes) */
  onProgress?: (phase: 'train' | 'eval', done: number, total: number) => void;
  /** cache the tokenized result here (e.g. ~/.cache/simpo-studio/data); unset: no cache */
  cacheDir?: string;
  /** force a layout instead of detecting it */
  layout?: Layout;
  env?: NodeJS.ProcessEnv;
}

export interface DataReport {
  layout: Layout;
  /** the files read for training */
  files: string[];
  evalFiles: string[];
  evalSource: 'eval_dataset' | 'split' | 'ratio' | 'none';
  /** rows read from the training files (bad ones included) */
  totalRows: number;
  /** training pairs after bad rows and the eval hold-out */
  usedRows: number;
  /** bad rows skipped (training and eval) */
  skipped: number;
  /** the first 20 bad rows */
  badRows: BadRow[];
  /** bad rows by reason */
  badReasons: Record<string, number>;
  evalRows: number;
  /** pairs whose prompt or response was truncated */
  truncated: number;
  /** true when the tokenized data came from the cache */
  cached: boolean;
}

export interface PreferenceData {
  train: TokenizedPair[];
  eval: TokenizedPair[];
  report: DataReport;
}

function pickSplit(splits: string[], want: 'train' | 'eval'): string | undefined {
  if (!splits.length) return undefined;
  if (want === 'train') return splits.find((s) => /train/i.test(s)) ?? splits[0];
  return splits.find((s) => /test|eval|valid/i.test(s)) ?? (splits.length > 1 ? splits[1] : undefined);
}

const SLICE = 1000;

/** tokenizePairs in slices of 1000, yielding to the event loop between them (a stop request is not kept waiting). */
async function tokenizeInSlices(rows: NormalizedPair[], tok: Tokenizer, opts: TokenizeOptions, phase: 'train' | 'eval', onProgress?: PreferenceDataOptions['onProgress']): Promise<TokenizeResult> {
  const out: TokenizeResult = { pairs: [], bad: [], truncated: 0 };
  for (let s = 0; s < rows.length; s += SLICE) {
    const r = tokenizePairs(rows.slice(s, s + SLICE), tok, opts);
    for (const p of r.pairs) out.pairs.push(p);
    for (const b of r.bad) out.bad.push(b);
    out.truncated += r.truncated;
    onProgress?.(phase, Math.min(s + SLICE, rows.length), rows.length);
    if (s + SLICE < rows.length) await new Promise<void>((res) => setImmediate(res));
  }
  return out;
}

interface SourcePlan { name: string; fraction: number; files: string[]; evalFiles?: string[] }

/** Resolves every file a load will read (training sources, their eval splits, the eval file) before reading any. */
function planSources(o: PreferenceDataOptions): { sources: SourcePlan[]; evalDatasetFiles?: string[] } {
  const splits = o.dataset_splits ?? [];
  const resolveOpts = { env: o.env };
  const named: { name: string; fraction: number }[] = o.dataset
    ? [{ name: o.dataset, fraction: 1 }]
    : Object.entries(o.dataset_mixer ?? {}).map(([name, fraction]) => ({ name, fraction }));
  if (!named.length) throw new DataError('no training data: set dataset (a .jsonl, .json or .parquet file, or a hub id in the local cache)');
  const trainSplit = pickSplit(splits, 'train');
  const evalSplit = pickSplit(splits, 'eval');
  const sources = named.map(({ name, fraction }): SourcePlan => {
    const resolved = resolveDataset(name, o.baseDir, trainSplit, resolveOpts); // a single file ignores the split
    const plan: SourcePlan = { name, fraction, files: resolved.files };
    // a named eval split next to the training split (HF layout: train_prefs / test_prefs)
    if (!o.eval_dataset && evalSplit && resolved.root) plan.evalFiles = resolveDataset(name, o.baseDir, evalSplit, resolveOpts).files;
    return plan;
  });
  const evalDatasetFiles = o.eval_dataset ? resolveDataset(o.eval_dataset, o.baseDir, evalSplit, resolveOpts).files : undefined;
  return { sources, evalDatasetFiles };
}

/**
 * Resolve, read, normalise, tokenize and split the training data (and eval data) of a config. With `cacheDir`, the
 * tokenized result is cached there, keyed by the data files, the tokenizer files, the chat template and the options.
 */
export async function loadPreferenceData(o: PreferenceDataOptions, tok: Tokenizer): Promise<PreferenceData> {
  const bad = new BadRows(o.bad_rows ?? 'skip');
  const algorithm = o.algorithm ?? 'simpo';
  const sft = algorithm === 'sft';
  const tokOpts = { maxLength: o.max_length, maxPromptLength: o.max_prompt_length, truncationMode: o.truncation_mode ?? 'keep_end', algorithm } as const;
  const plan = planSources(o);

  let key: string | undefined;
  if (o.cacheDir) {
    const allFiles = plan.sources.flatMap((s) => [...s.files, ...(s.evalFiles ?? [])]).concat(plan.evalDatasetFiles ?? []);
    const { baseDir: _b, env: _e, onProgress: _p, cacheDir: _c, ...keyed } = o;
    key = cacheKey(allFiles, tok, { keyed, sources: plan.sources.map((s) => [s.name, s.fraction]), chatTemplate: tok.chatTemplate ?? null });
    const hit = readCache<DataReport>(o.cacheDir, key);
    if (hit) return { ...hit, report: { ...hit.report, cached: true } };
  }

  let layout: Layout | undefined = o.layout;
  const files: string[] = [];
  let totalRows = 0;
  let trainRows: NormalizedPair[] = [];
  let evalRows: NormalizedPair[] = [];
  const evalFiles: string[] = [];
  let evalSource: DataReport['evalSource'] = 'none';

  for (const src of plan.sources) {
    files.push(...src.files);
    const r = await readPairs(src.files, bad, { layout, sft });
    layout ??= r.layout;
    totalRows += r.totalRows;
    const keep = src.fraction >= 1 ? r.pairs : r.pairs.slice(0, Math.round(r.pairs.length * Math.max(0, src.fraction)));
    trainRows = trainRows.concat(keep);
    if (src.evalFiles) {
      evalFiles.push(...src.evalFiles);
      const e = await readPairs(src.evalFiles, bad, { layout, sft });
      evalRows = evalRows.concat(e.pairs);
      evalSource = 'split';
    }
  }
  if (totalRows === 0) throw new DataError(`the dataset is empty: ${files.join(', ')} holds no rows`);
  if (!layout) throw new DataError(`no usable rows in ${files.join(', ')}: every row is bad (${bad.count} rows); first: ${bad.listed[0] ? `${bad.listed[0].reason}` : ''}`);

  if (plan.evalDatasetFiles) {
    evalFiles.push(...plan.evalDatasetFiles);
    evalRows = (await readPairs(plan.evalDatasetFiles, bad, { layout, sft })).pairs;
    evalSource = 'eval_dataset';
  } else if (evalSource === 'none' && (o.eval_split_ratio ?? 0) > 0) {
    const s = splitRows(trainRows, o.eval_split_ratio!, o.seed ?? 42);
    trainRows = s.train;
    evalRows = s.eval;
    evalSource = 'ratio';
  }

  const tTrain = await tokenizeInSlices(trainRows, tok, tokOpts, 'train', o.onProgress);
  tTrain.bad.forEach((b) => bad.push(b));
  const tEval = await tokenizeInSlices(evalRows, tok, tokOpts, 'eval', o.onProgress);
  tEval.bad.forEach((b) => bad.push(b));

  if (tTrain.pairs.length === 0) {
    const first = bad.listed[0];
    throw new DataError(`no usable training rows in ${files.map((f) => basename(f)).join(', ')}: ${totalRows} rows read, ${bad.count} bad${first ? `; first: ${first.file}${first.line !== undefined ? ` line ${first.line}` : ` row ${first.index}`}: ${first.reason}` : ''}`);
  }
  const result: PreferenceData = {
    train: tTrain.pairs,
    eval: tEval.pairs,
    report: {
      layout, files, evalFiles, evalSource, totalRows,
      usedRows: tTrain.pairs.length,
      skipped: bad.count,
      badRows: bad.listed,
      badReasons: bad.reasons,
      evalRows: tEval.pairs.length,
      truncated: tTrain.truncated + tEval.truncated,
      cached: false,
    },
  };
  if (o.cacheDir && key) {
    try { writeCache(o.cacheDir, key, result); } catch { /* a cache that cannot be written only costs time next run */ }
  }
  return result;
}

/** The report as log lines for train.log and the CLI. */
export function formatDataReport(r: DataReport): string[] {
  const lines = [
    `data: ${r.files.join(', ')} (layout ${r.layout}${r.cached ? ', tokenized data from the cache' : ''})`,
    `data: ${r.totalRows} rows read, ${r.usedRows} training pairs, ${r.evalRows} eval pairs (${r.evalSource === 'none' ? 'no eval set' : r.evalSource === 'ratio' ? 'held out by eval_split_ratio' : r.evalSource === 'split' ? `split from ${r.evalFiles.join(', ')}` : `from ${r.evalFiles.join(', ')}`}), ${r.truncated} truncated`,
  ];
  if (r.skipped) {
    lines.push(`data: ${r.skipped} bad row${r.skipped === 1 ? '' : 's'} skipped: ${Object.entries(r.badReasons).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    for (const b of r.badRows) lines.push(`  ${b.file}${b.line !== undefined ? `:${b.line}` : ` row ${b.index}`}: ${b.reason}`);
    if (r.skipped > r.badRows.length) lines.push(`  ... and ${r.skipped - r.badRows.length} more`);
  }
  return lines;
}
