// Holding out an evaluation share of the training rows: a seeded permutation of row indices (same seed, same split;
// train and eval disjoint). Works on indices, so a JSONL index of a million rows can be split without its rows.
import { seededPermutation } from './batching';

export const EVAL_SPLIT_SALT = 0x5eed;

export interface IndexSplit {
  train: number[];
  eval: number[];
}

/**
 * Splits 0..n-1: round(n·ratio) indices (at least 1 when ratio > 0 and n > 1, never all) go to eval. Both parts are
 * returned in ascending order (file order), so the split does not depend on how rows are later shuffled.
 */
export function splitIndices(n: number, ratio: number, seed: number): IndexSplit {
  if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`eval_split_ratio must be in [0, 1) (got ${ratio})`);
  if (ratio === 0 || n === 0) return { train: Array.from({ length: n }, (_, i) => i), eval: [] };
  let k = Math.round(n * ratio);
  if (k === 0 && n > 1) k = 1;
  if (k >= n) k = n - 1;
  const perm = seededPermutation(n, seed, EVAL_SPLIT_SALT);
  const evalIdx = perm.slice(0, k).sort((a, b) => a - b);
  const trainIdx = perm.slice(k).sort((a, b) => a - b);
  return { train: trainIdx, eval: evalIdx };
}

/** Splits an array by splitIndices. */
export function splitRows<T>(rows: T[], ratio: number, seed: number): { train: T[]; eval: T[] } {
  const s = splitIndices(rows.length, ratio, seed);
  return { train: s.train.map((i) => rows[i]), eval: s.eval.map((i) => rows[i]) };
}
