import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBatches, makeSftBatches, batchOrder, seededPermutation, splitIndices, splitRows, batchesPerEpoch, IGNORE_INDEX } from '../../server/data';
import type { TokenizedPair } from '../../server/data';

const PAD = 0;
function pair(i: number, p: number, c: number, r: number): TokenizedPair {
  const ids = (n: number, base: number) => Int32Array.from({ length: n }, (_, k) => base + k);
  return { promptIds: ids(p, 100 * i + 1), chosenIds: ids(c, 100 * i + 50), rejectedIds: ids(r, 100 * i + 70), loc: { file: 'f', index: i }, truncated: false };
}
const pairs = Array.from({ length: 23 }, (_, i) => pair(i, 2 + (i % 5), 1 + (i % 3), 1 + (i % 7)));

test('a preference batch: rows [0,B) chosen, [B,2B) rejected, right-padded with pad id, mask 0 and label -100', () => {
  const ps = [pair(0, 3, 2, 4), pair(1, 2, 1, 1)];
  const [b] = makeBatches(ps, { pairsPerBatch: 2, seed: 1, epoch: 0, padId: PAD, shuffle: false });
  assert.equal(b.rows, 4);
  assert.equal(b.seqLen, 7); // 3 + max(2, 4)
  const row = (a: Int32Array, r: number) => Array.from(a.subarray(r * 7, r * 7 + 7));
  // chosen of pair 0
  assert.deepEqual(row(b.inputIds, 0), [1, 2, 3, 50, 51, PAD, PAD]);
  assert.deepEqual(row(b.attentionMask, 0), [1, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual(row(b.labels, 0), [-100, -100, -100, 50, 51, -100, -100]);
  // chosen of pair 1
  assert.deepEqual(row(b.inputIds, 1), [101, 102, 150, PAD, PAD, PAD, PAD]);
  assert.deepEqual(row(b.labels, 1), [-100, -100, 150, -100, -100, -100, -100]);
  // rejected of pair 0 (row B + 0)
  assert.deepEqual(row(b.inputIds, 2), [1, 2, 3, 70, 71, 72, 73]);
  assert.deepEqual(row(b.attentionMask, 2), [1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(row(b.labels, 3), [-100, -100, 170, -100, -100, -100, -100]);
  assert.deepEqual(b.indices, [0, 1]);
});

test('every pair appears exactly once per epoch; the last batch may be smaller unless dropLast', () => {
  const bs = makeBatches(pairs, { pairsPerBatch: 4, seed: 3, epoch: 0, padId: PAD });
  assert.equal(bs.length, 6);
  assert.equal(batchesPerEpoch(23, 4), 6);
  assert.deepEqual(bs.flatMap((b) => b.indices).sort((a, b) => a - b), pairs.map((_, i) => i));
  assert.equal(bs[5].rows, 2 * 3);
  assert.equal(makeBatches(pairs, { pairsPerBatch: 4, seed: 3, epoch: 0, padId: PAD, dropLast: true }).length, 5);
});

test('seeded shuffle: identical for the same (seed, epoch), different for another seed or epoch', () => {
  const o = (seed: number, epoch: number) => batchOrder(pairs, { pairsPerBatch: 4, seed, epoch, padId: PAD }).flat();
  assert.deepEqual(o(42, 0), o(42, 0));
  assert.notDeepEqual(o(42, 0), o(43, 0));
  assert.notDeepEqual(o(42, 0), o(42, 1));
  assert.notDeepEqual(o(42, 0), pairs.map((_, i) => i));
  const a = makeBatches(pairs, { pairsPerBatch: 5, seed: 7, epoch: 2, padId: PAD });
  const b = makeBatches(pairs, { pairsPerBatch: 5, seed: 7, epoch: 2, padId: PAD });
  assert.deepEqual(a.map((x) => Array.from(x.inputIds)), b.map((x) => Array.from(x.inputIds)));
  assert.deepEqual(seededPermutation(10, 1), seededPermutation(10, 1));
});

test('groupByLength sorts within mega-batches, longest first, keeping the shuffle', () => {
  const many = Array.from({ length: 300 }, (_, i) => pair(i, 1 + ((i * 37) % 11), 1 + ((i * 13) % 9), 1));
  const bs = batchOrder(many, { pairsPerBatch: 2, seed: 5, epoch: 0, padId: PAD, groupByLength: true });
  const lens = bs.flat().map((i) => many[i].promptIds.length + Math.max(many[i].chosenIds.length, many[i].rejectedIds.length));
  const mega = 2 * 50;
  for (let s = 0; s < lens.length; s += mega) {
    const part = lens.slice(s, s + mega);
    assert.deepEqual(part, [...part].sort((a, b) => b - a));
  }
  assert.deepEqual(bs.flat().sort((a, b) => a - b), many.map((_, i) => i));
});

test('SFT batches: chosen only, prompt labels -100', () => {
  const [b] = makeSftBatches([pair(0, 2, 3, 9), pair(1, 1, 1, 9)], { pairsPerBatch: 2, seed: 0, epoch: 0, padId: PAD, shuffle: false });
  assert.equal(b.rows, 2);
  assert.equal(b.seqLen, 5);
  assert.deepEqual(Array.from(b.labels), [-100, -100, 50, 51, 52, -100, 150, -100, -100, -100]);
  assert.deepEqual(Array.from(b.attentionMask), [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  assert.ok(Array.from(b.labels).every((x) => x === IGNORE_INDEX || x >= 50));
});

test('padToMultipleOf rounds seqLen up', () => {
  const [b] = makeBatches([pair(0, 3, 2, 4)], { pairsPerBatch: 1, seed: 0, epoch: 0, padId: PAD, padToMultipleOf: 8 });
  assert.equal(b.seqLen, 8);
  assert.equal(b.inputIds.length, 16);
});

test('eval split by ratio: deterministic by seed, disjoint, covering, different for another seed', () => {
  const a = splitIndices(1000, 0.1, 42);
  assert.equal(a.eval.length, 100);
  assert.equal(a.train.length, 900);
  assert.deepEqual(a, splitIndices(1000, 0.1, 42));
  const evalSet = new Set(a.eval);
  assert.ok(a.train.every((i) => !evalSet.has(i)));
  assert.deepEqual([...a.train, ...a.eval].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual(splitIndices(1000, 0.1, 43).eval, a.eval);
  assert.equal(splitIndices(5, 0.01, 1).eval.length, 1); // at least one
  assert.equal(splitIndices(5, 0, 1).eval.length, 0);
  assert.throws(() => splitIndices(5, 1, 1), RangeError);
  const s = splitRows(['a', 'b', 'c', 'd'], 0.5, 9);
  assert.equal(s.eval.length, 2);
  assert.deepEqual([...s.train, ...s.eval].sort(), ['a', 'b', 'c', 'd']);
});
