import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubCacheDir, resolveModel, resolveDataset, listSplits, DataError } from '../../server/data';
import { tempDir, writeJsonl, uf } from './helpers';

const REV = 'a'.repeat(40);
const REV2 = 'b'.repeat(40);

/** A cache in the real layout: refs/main → revision, snapshots/<rev>/<file> symlinked to blobs/<hash>. */
function cacheRepo(cache: string, kind: 'models' | 'datasets', id: string, files: Record<string, string>, rev = REV, ref = true): string {
  const repo = join(cache, `${kind}--${id.replace('/', '--')}`);
  mkdirSync(join(repo, 'blobs'), { recursive: true });
  if (ref) { mkdirSync(join(repo, 'refs'), { recursive: true }); writeFileSync(join(repo, 'refs', 'main'), rev); }
  let n = 0;
  for (const [rel, content] of Object.entries(files)) {
    const blob = join(repo, 'blobs', `blob${n++}`);
    writeFileSync(blob, content);
    const target = join(repo, 'snapshots', rev, rel);
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(blob, target);
  }
  return join(repo, 'snapshots', rev);
}

test('hub cache folder: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub', () => {
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' }), '/x/hub');
  assert.equal(hubCacheDir({ HF_HOME: '/y' }), '/y/hub');
  assert.equal(hubCacheDir({ XDG_CACHE_HOME: '/z' }), '/z/huggingface/hub');
  assert.match(hubCacheDir({}), /\.cache\/huggingface\/hub$/);
});

test('models: a local folder relative to the config wins; else the cache snapshot named by refs/main', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = join(dir, 'cache');
    const snap = cacheRepo(cache, 'models', 'org/tiny', { 'config.json': '{}', 'tokenizer.json': '{}' });
    const env = { HF_HUB_CACHE: cache };
    assert.equal(resolveModel('org/tiny', join(dir, 'cfg'), { env }), snap);
    mkdirSync(join(dir, 'cfg', 'org', 'tiny'), { recursive: true });
    assert.equal(resolveModel('org/tiny', join(dir, 'cfg'), { env }), join(dir, 'cfg', 'org', 'tiny'));
    assert.equal(resolveModel('./org/tiny', join(dir, 'cfg'), { env }), join(dir, 'cfg', 'org', 'tiny'));
  } finally { cleanup(); }
});

test('models: without refs/main the newest snapshot is used; HF_HOME/hub is searched', () => {
  const { dir, cleanup } = tempDir();
  try {
    const snap = cacheRepo(join(dir, 'hfhome', 'hub'), 'models', 'org/noref', { 'config.json': '{}' }, REV2, false);
    assert.equal(resolveModel('org/noref', dir, { env: { HF_HOME: join(dir, 'hfhome') } }), snap);
  } finally { cleanup(); }
});

test('a missing model id is a DataError listing every place looked at', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    assert.throws(() => resolveModel('meta-llama/Nope-8B', join(dir, 'cfg'), { env: { HF_HUB_CACHE: cache } }), (e: Error) =>
      e instanceof DataError &&
      e.message.includes(join(dir, 'cfg', 'meta-llama', 'Nope-8B')) &&
      e.message.includes(join(cache, 'models--meta-llama--Nope-8B')) &&
      /Nothing is downloaded/.test(e.message));
    writeFileSync(join(dir, 'afile'), 'x');
    assert.throws(() => resolveModel('afile', dir), /is not a folder/);
  } finally { cleanup(); }
});

test('datasets: hub id + split through the cache (data/train_prefs-*.parquet shards), local files and folders', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = join(dir, 'cache');
    const snap = cacheRepo(cache, 'datasets', 'HuggingFaceH4/ultrafeedback_binarized', {
      'README.md': '# card',
      'data/train_prefs-00000-of-00002.parquet': 'p0',
      'data/train_prefs-00001-of-00002.parquet': 'p1',
      'data/test_prefs-00000-of-00001.parquet': 'p2',
      'data/train_sft-00000-of-00001.parquet': 'p3',
    });
    const env = { HF_HUB_CACHE: cache };
    const r = resolveDataset('HuggingFaceH4/ultrafeedback_binarized', dir, 'train_prefs', { env });
    assert.deepEqual(r.files, [join(snap, 'data/train_prefs-00000-of-00002.parquet'), join(snap, 'data/train_prefs-00001-of-00002.parquet')]);
    assert.equal(r.split, 'train_prefs');
    assert.deepEqual(resolveDataset('HuggingFaceH4/ultrafeedback_binarized', dir, 'test_prefs', { env }).files, [join(snap, 'data/test_prefs-00000-of-00001.parquet')]);
    assert.deepEqual(listSplits(snap), ['test_prefs', 'train_prefs', 'train_sft']);
    assert.throws(() => resolveDataset('HuggingFaceH4/ultrafeedback_binarized', dir, 'validation', { env }), /no split "validation".*splits found: test_prefs, train_prefs, train_sft/s);
    assert.throws(() => resolveDataset('HuggingFaceH4/ultrafeedback_binarized', dir, undefined, { env }), /name a split/);
    // a local file wins, relative to the config folder
    const f = writeJsonl(join(dir, 'prefs.jsonl'), [uf('a', 'b', 'c')]);
    assert.deepEqual(resolveDataset('prefs.jsonl', dir).files, [f]);
    // a local folder with splits
    mkdirSync(join(dir, 'local'));
    writeJsonl(join(dir, 'local', 'train.jsonl'), [uf('a', 'b', 'c')]);
    writeJsonl(join(dir, 'local', 'test.jsonl'), [uf('a', 'b', 'c')]);
    assert.deepEqual(resolveDataset('local', dir, 'test').files, [join(dir, 'local', 'test.jsonl')]);
  } finally { cleanup(); }
});

test('datasets: a missing id lists the places looked at; a device file is refused', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = join(dir, 'cache');
    assert.throws(() => resolveDataset('org/missing', dir, 'train', { env: { HF_HUB_CACHE: cache } }), (e: Error) =>
      e instanceof DataError && e.message.includes(join(dir, 'org', 'missing')) && e.message.includes(join(cache, 'datasets--org--missing')));
    assert.throws(() => resolveDataset('/dev/null', dir), /not a regular file/);
  } finally { cleanup(); }
});
