import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, loadPreferenceData, DataError, makeBatches, formatDataReport } from '../../server/data';
import type { PreferenceDataOptions } from '../../server/data';
import { LLAMA3_DIR, LLAMA3_INSTRUCT_TEMPLATE, tempDir, writeJsonl, uf, writeUltraFeedbackParquet } from './helpers';

const tok = loadTokenizer(LLAMA3_DIR, { chatTemplate: LLAMA3_INSTRUCT_TEMPLATE });
const base = { max_length: 256, max_prompt_length: 64, truncation_mode: 'keep_end', algorithm: 'simpo', seed: 42, bad_rows: 'skip' } as const;

const writeUfParquet = (file: string, rows: ReturnType<typeof uf>[]) => writeUltraFeedbackParquet(file, rows, 4);

test('jsonl with bad rows and an eval share: report counts, deterministic disjoint split, batches build', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const rows: unknown[] = Array.from({ length: 40 }, (_, i) => ({ prompt: `Question ${i}?`, chosen: `Answer ${i}.`, rejected: `Wrong ${i}.` }));
    rows.splice(3, 0, '{broken');
    rows.splice(10, 0, { prompt: 'p', chosen: 'same', rejected: 'same' });
    writeJsonl(join(dir, 'prefs.jsonl'), rows);
    const o: PreferenceDataOptions = { ...base, baseDir: dir, dataset: 'prefs.jsonl', eval_split_ratio: 0.25 };
    const a = await loadPreferenceData(o, tok);
    assert.equal(a.report.layout, 'strings');
    assert.equal(a.report.totalRows, 42);
    assert.equal(a.report.skipped, 2);
    assert.deepEqual(a.report.badRows.map((b) => b.line), [4, 11]);
    assert.equal(a.report.evalSource, 'ratio');
    assert.equal(a.report.evalRows, 10);
    assert.equal(a.report.usedRows, 30);
    const progress: string[] = [];
    await loadPreferenceData({ ...o, onProgress: (phase, done, total) => progress.push(`${phase} ${done}/${total}`) }, tok);
    assert.deepEqual(progress, ['train 30/30', 'eval 10/10']);
    const log = formatDataReport(a.report);
    assert.match(log[1], /42 rows read, 30 training pairs, 10 eval pairs/);
    assert.ok(log.some((l) => l.includes(`${join(dir, 'prefs.jsonl')}:4: not JSON`)));
    const b = await loadPreferenceData(o, tok);
    assert.deepEqual(a.eval.map((p) => p.loc.index), b.eval.map((p) => p.loc.index));
    const trainIdx = new Set(a.train.map((p) => p.loc.index));
    assert.ok(a.eval.every((p) => !trainIdx.has(p.loc.index)));
    const c = await loadPreferenceData({ ...o, seed: 7 }, tok);
    assert.notDeepEqual(c.eval.map((p) => p.loc.index), a.eval.map((p) => p.loc.index));
    const batches = makeBatches(a.train, { pairsPerBatch: 4, seed: 42, epoch: 0, padId: tok.padId });
    assert.equal(batches.length, 8);
    assert.ok(batches.every((x) => x.rows === 2 * x.indices.length && x.inputIds.length === x.rows * x.seqLen));
  } finally { cleanup(); }
});

test('bad_rows: fail stops at the first bad row naming file and line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeJsonl(join(dir, 'p.jsonl'), [{ prompt: 'a', chosen: 'b', rejected: 'c' }, { prompt: 'a', chosen: 'b' }]);
    await assert.rejects(loadPreferenceData({ ...base, bad_rows: 'fail', baseDir: dir, dataset: 'p.jsonl' }, tok), (e: Error) =>
      e instanceof DataError && e.message.includes(`${join(dir, 'p.jsonl')} line 2`) && e.message.includes('missing field rejected'));
  } finally { cleanup(); }
});

test('an empty or entirely bad dataset fails before training', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'empty.jsonl'), '\n\n');
    await assert.rejects(loadPreferenceData({ ...base, baseDir: dir, dataset: 'empty.jsonl' }, tok), /empty/);
    writeJsonl(join(dir, 'bad.jsonl'), ['{x', { prompt: 'p', chosen: 'same', rejected: 'same' }]);
    await assert.rejects(loadPreferenceData({ ...base, baseDir: dir, dataset: 'bad.jsonl' }, tok), (e: Error) => e instanceof DataError && /no usable training rows/.test(e.message) && e.message.includes('line 1'));
    writeJsonl(join(dir, 'long.jsonl'), [{ prompt: 'word '.repeat(100), chosen: 'a', rejected: 'b' }]);
    await assert.rejects(loadPreferenceData({ ...base, max_length: 8, max_prompt_length: 8, baseDir: dir, dataset: 'long.jsonl' }, tok), /over-long after truncation/);
    await assert.rejects(loadPreferenceData({ ...base, baseDir: dir, dataset: null }, tok), /no training data/);
  } finally { cleanup(); }
});

test('a separate eval_dataset file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeJsonl(join(dir, 'train.jsonl'), Array.from({ length: 6 }, (_, i) => uf(`q${i}`, `good ${i}`, `bad ${i}`)));
    writeJsonl(join(dir, 'eval.jsonl'), Array.from({ length: 3 }, (_, i) => uf(`e${i}`, `good ${i}`, `bad ${i}`)));
    const d = await loadPreferenceData({ ...base, baseDir: dir, dataset: 'train.jsonl', eval_dataset: 'eval.jsonl', eval_split_ratio: 0.5 }, tok);
    assert.equal(d.report.layout, 'ultrafeedback');
    assert.equal(d.report.evalSource, 'eval_dataset');
    assert.equal(d.train.length, 6);
    assert.equal(d.eval.length, 3);
    assert.equal(d.eval[0].loc.file, join(dir, 'eval.jsonl'));
  } finally { cleanup(); }
});

test('an HF-cache dataset id with dataset_splits train_prefs/test_prefs (parquet shards, UltraFeedback layout)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const rev = 'c'.repeat(40);
    const repo = join(dir, 'hub', 'datasets--HuggingFaceH4--ultrafeedback_binarized');
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), rev);
    const data = join(repo, 'snapshots', rev, 'data');
    mkdirSync(data, { recursive: true });
    writeUfParquet(join(data, 'train_prefs-00000-of-00002.parquet'), Array.from({ length: 5 }, (_, i) => uf(`a${i}`, `good ${i}`, `bad ${i}`)));
    writeUfParquet(join(data, 'train_prefs-00001-of-00002.parquet'), Array.from({ length: 6 }, (_, i) => uf(`b${i}`, `good ${i}`, `bad ${i}`)));
    writeUfParquet(join(data, 'test_prefs-00000-of-00001.parquet'), Array.from({ length: 2 }, (_, i) => uf(`t${i}`, `good ${i}`, `bad ${i}`)));
    const d = await loadPreferenceData({
      ...base, baseDir: join(dir, 'cfg'), dataset: 'HuggingFaceH4/ultrafeedback_binarized', dataset_splits: ['train_prefs', 'test_prefs'],
      eval_split_ratio: 0.5, env: { HF_HUB_CACHE: join(dir, 'hub') },
    }, tok);
    assert.equal(d.report.layout, 'ultrafeedback');
    assert.equal(d.report.files.length, 2);
    assert.equal(d.report.totalRows, 11);
    assert.equal(d.train.length, 11);
    assert.equal(d.report.evalSource, 'split');
    assert.equal(d.eval.length, 2);
    assert.equal(tok.decode(d.eval[1].promptIds), '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nt1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  } finally { cleanup(); }
});

test('SFT keeps rows whose chosen equals rejected and tokenizes chosen only', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeJsonl(join(dir, 'p.jsonl'), [{ prompt: 'a', chosen: 'b', rejected: 'b' }, { prompt: 'c', chosen: 'd', rejected: 'e' }]);
    const d = await loadPreferenceData({ ...base, algorithm: 'sft', baseDir: dir, dataset: 'p.jsonl' }, tok);
    assert.equal(d.train.length, 2);
    assert.equal(d.train[0].rejectedIds.length, 0);
  } finally { cleanup(); }
});

test('a local dataset folder with train/test files and dataset_splits; dataset_mixer takes a fraction of each source', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'prefs'));
    writeJsonl(join(dir, 'prefs', 'train.jsonl'), Array.from({ length: 10 }, (_, i) => ({ prompt: `q${i}`, chosen: 'yes', rejected: 'no' })));
    writeJsonl(join(dir, 'prefs', 'test.jsonl'), Array.from({ length: 3 }, (_, i) => ({ prompt: `t${i}`, chosen: 'yes', rejected: 'no' })));
    writeJsonl(join(dir, 'more.jsonl'), Array.from({ length: 8 }, (_, i) => ({ prompt: `m${i}`, chosen: 'yes', rejected: 'no' })));
    const d = await loadPreferenceData({ ...base, baseDir: dir, dataset: 'prefs', dataset_splits: ['train', 'test'] }, tok);
    assert.equal(d.report.evalSource, 'split');
    assert.deepEqual([d.train.length, d.eval.length], [10, 3]);
    const m = await loadPreferenceData({ ...base, baseDir: dir, dataset: null, dataset_mixer: { prefs: 1, 'more.jsonl': 0.5 }, dataset_splits: ['train', 'test'] }, tok);
    assert.equal(m.train.length, 10 + 4);
    assert.equal(m.eval.length, 3);
  } finally { cleanup(); }
});

test('cacheDir: a second load of the same data and options comes from the cache, identical; a change of file or option misses', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'p.jsonl');
    const rows = (k: number) => Array.from({ length: k }, (_, i) => uf(`q${i}`, `good ${i}`, `bad ${i}`));
    writeJsonl(f, rows(12));
    const o: PreferenceDataOptions = { ...base, baseDir: dir, dataset: 'p.jsonl', eval_split_ratio: 0.25, cacheDir: join(dir, 'cache') };
    const a = await loadPreferenceData(o, tok);
    assert.equal(a.report.cached, false);
    const b = await loadPreferenceData(o, tok);
    assert.equal(b.report.cached, true);
    const plain = (d: typeof a) => [...d.train, ...d.eval].map((p) => ({ ...p, promptIds: Array.from(p.promptIds), chosenIds: Array.from(p.chosenIds), rejectedIds: Array.from(p.rejectedIds) }));
    assert.deepEqual(plain(b), plain(a));
    assert.deepEqual({ ...b.report, cached: false }, a.report);
    assert.equal((await loadPreferenceData({ ...o, max_length: 128 }, tok)).report.cached, false);
    writeJsonl(f, rows(13));
    const c = await loadPreferenceData(o, tok);
    assert.equal(c.report.cached, false);
    assert.equal(c.report.totalRows, 13);
  } finally { cleanup(); }
});
