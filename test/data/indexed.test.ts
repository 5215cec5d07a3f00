import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BadRows, DataError, IndexedJsonl, loadTokenizer, seededPermutation, splitIndices, tokenizePairs, normalizeRow, makeBatches } from '../../server/data';
import type { TokenizeOptions } from '../../server/data';
import { LLAMA3_DIR, tempDir, writeJsonl } from './helpers';

const tok = loadTokenizer(LLAMA3_DIR);
const opts: TokenizeOptions = { maxLength: 64, maxPromptLength: 32, truncationMode: 'keep_end', algorithm: 'simpo' };

test('a large JSONL file read by offset: split by seed, shuffled per epoch, tokenized per batch like the in-memory path', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'big.jsonl');
    const rows: unknown[] = Array.from({ length: 20_000 }, (_, i) => ({ prompt: `Q${i}: what is ${i} squared?`, chosen: ` ${i * i}`, rejected: ` ${i * i + 1}` }));
    rows[5] = '{"prompt": broken';
    rows[9] = { prompt: 'p', chosen: 'same', rejected: 'same' };
    writeJsonl(f, rows);
    const src = await IndexedJsonl.open(f);
    try {
      assert.equal(src.count, 20_000);
      assert.equal(src.layout, 'strings');
      const split = splitIndices(src.count, 0.01, 42);
      assert.equal(split.eval.length, 200);
      const order = seededPermutation(split.train.length, 42, 0).map((k) => split.train[k]);
      const bad = new BadRows('skip');
      const want = [...order.slice(0, 8), 5, 9];
      const pairs = src.tokenize(want, tok, opts, bad);
      assert.equal(pairs.length, want.length - 2);
      assert.deepEqual(bad.listed.map((b) => [b.line, b.index]), [[6, 5], [10, 9]]);
      // identical to tokenizing the same rows in memory
      const n = normalizeRow(rows[order[0]], 'strings', { file: f, line: order[0] + 1, index: order[0] });
      assert.ok(n.ok);
      const mem = tokenizePairs([n.pair], tok, opts).pairs[0];
      assert.deepEqual(Array.from(pairs[0].chosenIds), Array.from(mem.chosenIds));
      assert.deepEqual(Array.from(pairs[0].promptIds), Array.from(mem.promptIds));
      assert.equal(pairs[0].loc.line, order[0] + 1);
      const [b] = makeBatches(pairs, { pairsPerBatch: 8, seed: 1, epoch: 0, padId: tok.padId, shuffle: false });
      assert.equal(b.rows, 16);
      assert.throws(() => src.tokenize([5], tok, opts, new BadRows('fail')), (e: Error) => e instanceof DataError && e.message.includes(`${f} line 6`));
    } finally { src.close(); }
  } finally { cleanup(); }
});
