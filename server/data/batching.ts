// Micro-batches for the engine. Preference: rows [0, B) chosen, [B, 2B) rejected, each prompt + response, all
// right-padded to one seqLen with the pad id (attention 0, label -100); labels are the input ids on response tokens
// and -100 on prompt tokens (the engine shifts them by one). The order is a Fisher-Yates shuffle driven by a
// mulberry32 PRNG seeded from (seed, epoch), so a resumed run sees the same order. groupByLength sorts pairs by
// length within mega-batches of 50 batches (as HF's LengthGroupedSampler), longest mega-batch first inside each.
import type { Batch } from '../engine/api';
import type { TokenizedPair } from './tokenize-pairs';

export const IGNORE_INDEX = -100;
const MEGA_BATCH_MULT = 50;

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from several integers (splitmix-like mixing), so (seed, epoch) pairs give unrelated streams. */
export function mixSeed(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** 0..n-1 shuffled by Fisher-Yates with mulberry32(mixSeed(seed, salt...)). */
export function seededPermutation(n: number, seed: number, ...salt: number[]): number[] {
  const rand = mulberry32(mixSeed(seed, ...salt));
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i]; out[i] = out[j]; out[j] = t;
  }
  return out;
}

export interface BatchOptions {
  pairsPerBatch: number;
  seed: number;
  epoch: number;
  padId: number;
  shuffle?: boolean;         // default true
  groupByLength?: boolean;   // default false
  dropLast?: boolean;        // default false: the last batch may be smaller
  /** pad seqLen up to a multiple of this (fewer distinct shapes → fewer graph rebuilds); default 1 */
  padToMultipleOf?: number;
}

/** A Batch plus which pairs it holds (indices into the pairs array), for samples and resume checks. */
export interface DataBatch extends Batch {
  indices: number[];
}

function pairLength(p: TokenizedPair): number {
  return Math.max(p.promptIds.length + p.chosenIds.length, (p.rejectedPromptIds ?? p.promptIds).length + p.rejectedIds.length);
}

/** The pair order of one epoch: shuffled (seed, epoch), optionally grouped by length, cut into batches. */
export function batchOrder(pairs: TokenizedPair[], opts: BatchOptions): number[][] {
  const B = opts.pairsPerBatch;
  if (!(Number.isInteger(B) && B > 0)) throw new RangeError(`pairsPerBatch must be a positive integer (got ${B})`);
  let order = opts.shuffle === false ? pairs.map((_, i) => i) : seededPermutation(pairs.length, opts.seed, opts.epoch);
  if (opts.groupByLength) {
    const mega = B * MEGA_BATCH_MULT;
    const grouped: number[] = [];
    for (let s = 0; s < order.length; s += mega) {
      const chunk = order.slice(s, s + mega);
      chunk.sort((a, b) => pairLength(pairs[b]) - pairLength(pairs[a]) || a - b);
      grouped.push(...chunk);
    }
    order = grouped;
  }
  const out: number[][] = [];
  for (let s = 0; s < order.length; s += B) {
    const idx = order.slice(s, s + B);
    if (idx.length < B && opts.dropLast) break;
    out.push(idx);
  }
  return out;
}

function roundUp(n: number, m: number | undefined): number {
  const k = m && m > 1 ? m : 1;
  return Math.ceil(n / k) * k;
}

/** Builds one preference micro-batch (2·B rows) from the given pairs. */
export function collatePairs(pairs: TokenizedPair[], indices: number[], padId: number, padToMultipleOf?: number): DataBatch {
  const B = indices.length;
  let longest = 1;
  for (const i of indices) longest = Math.max(longest, pairLength(pairs[i]));
  const seqLen = roundUp(longest, padToMultipleOf);
  const rows = 2 * B;
  const inputIds = new Int32Array(rows * seqLen).fill(padId);
  const attentionMask = new Int32Array(rows * seqLen);
  const labels = new Int32Array(rows * seqLen).fill(IGNORE_INDEX);
  const put = (row: number, prompt: ArrayLike<number>, response: ArrayLike<number>) => {
    const o = row * seqLen;
    for (let t = 0; t < prompt.length; t++) { inputIds[o + t] = prompt[t]; attentionMask[o + t] = 1; }
    const p = prompt.length;
    for (let t = 0; t < response.length; t++) { inputIds[o + p + t] = response[t]; attentionMask[o + p + t] = 1; labels[o + p + t] = response[t]; }
  };
  indices.forEach((i, b) => {
    const pair = pairs[i];
    put(b, pair.promptIds, pair.chosenIds);
    put(B + b, pair.rejectedPromptIds ?? pair.promptIds, pair.rejectedIds);
  });
  return { rows, seqLen, inputIds, attentionMask, labels, indices };
}

/** Builds one SFT micro-batch (B rows: prompt + chosen). */
export function collateSft(pairs: TokenizedPair[], indices: number[], padId: number, padToMultipleOf?: number): DataBatch {
  let longest = 1;
  for (const i of indices) longest = Math.max(longest, pairs[i].promptIds.length + pairs[i].chosenIds.length);
  const seqLen = roundUp(longest, padToMultipleOf);
  const rows = indices.length;
  const inputIds = new Int32Array(rows * seqLen).fill(padId);
  const attentionMask = new Int32Array(rows * seqLen);
  const labels = new Int32Array(rows * seqLen).fill(IGNORE_INDEX);
  indices.forEach((i, r) => {
    const { promptIds, chosenIds } = pairs[i];
    const o = r * seqLen;
    for (let t = 0; t < promptIds.length; t++) { inputIds[o + t] = promptIds[t]; attentionMask[o + t] = 1; }
    for (let t = 0; t < chosenIds.length; t++) {
      const at = o + promptIds.length + t;
      inputIds[at] = chosenIds[t]; attentionMask[at] = 1; labels[at] = chosenIds[t];
    }
  });
  return { rows, seqLen, inputIds, attentionMask, labels, indices };
}

/** The preference micro-batches of one epoch. */
export function makeBatches(pairs: TokenizedPair[], opts: BatchOptions): DataBatch[] {
  return batchOrder(pairs, opts).map((idx) => collatePairs(pairs, idx, opts.padId, opts.padToMultipleOf));
}

/** The SFT micro-batches of one epoch (chosen responses only). */
export function makeSftBatches(pairs: TokenizedPair[], opts: BatchOptions): DataBatch[] {
  return batchOrder(pairs, opts).map((idx) => collateSft(pairs, idx, opts.padId, opts.padToMultipleOf));
}

/** How many micro-batches an epoch of n pairs gives. */
export function batchesPerEpoch(n: number, pairsPerBatch: number, dropLast = false): number {
  return dropLast ? Math.floor(n / pairsPerBatch) : Math.ceil(n / pairsPerBatch);
}
