// Invariances of the SimPO loss: what is masked must not matter (tokens past padding, extra padding, the label
// of position 0 that the shift drops), and swapping chosen with rejected flips rewards and margins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch, LossSpec, StepMetrics } from '../../server/engine/api';
import { createTrainSession } from '../../server/engine/index';
import { initRandomModel, makeConfig, Rng } from '../../server/engine/hf-model';
import { randomPreferenceBatch } from './reference-lib';

const config = makeConfig({ vocab_size: 17, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 10000 });
const loss: LossSpec = { kind: 'simpo', beta: 2, gammaBetaRatio: 0.4, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0.2 };
const optim = { weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, maxGradNorm: 0 };
const KEYS = ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected', 'sft_loss'] as const;

function same(a: StepMetrics, b: StepMetrics, what: string): void {
  for (const k of KEYS) if (a[k] !== undefined || b[k] !== undefined) assert.ok(Math.abs(a[k]! - b[k]!) < 1e-10, `${what}: ${k} ${a[k]} vs ${b[k]}`);
}

function padMore(b: Batch, extra: number, rng: Rng): Batch {
  const S = b.seqLen + extra, n = b.rows * S;
  const out: Batch = { rows: b.rows, seqLen: S, inputIds: new Int32Array(n), attentionMask: new Int32Array(n), labels: new Int32Array(n).fill(-100) };
  for (let r = 0; r < b.rows; r++) for (let t = 0; t < S; t++) {
    if (t < b.seqLen) {
      out.inputIds[r * S + t] = b.inputIds[r * b.seqLen + t];
      out.attentionMask[r * S + t] = b.attentionMask[r * b.seqLen + t];
      out.labels[r * S + t] = b.labels[r * b.seqLen + t];
    } else out.inputIds[r * S + t] = rng.int(config.vocab_size);
  }
  return out;
}

test('SimPO loss ignores padding tokens, extra padding and the unused first label', async () => {
  const rng = new Rng(5);
  const s = await createTrainSession({ config, weights: initRandomModel(config, 3), loss, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
  const batch = randomPreferenceBatch(rng, 3, 12, config.vocab_size);
  const base = await s.evaluate(batch);
  assert.ok(batch.attentionMask.includes(0), 'the batch has padding');

  const scrambled: Batch = { ...batch, inputIds: batch.inputIds.slice() };
  for (let i = 0; i < scrambled.inputIds.length; i++) if (!batch.attentionMask[i]) scrambled.inputIds[i] = rng.int(config.vocab_size);
  same(base, await s.evaluate(scrambled), 'tokens past the padding changed');

  same(base, await s.evaluate(padMore(batch, 5, rng)), 'five more padding positions');

  const firstLabel: Batch = { ...batch, labels: batch.labels.slice() };
  for (let r = 0; r < batch.rows; r++) firstLabel.labels[r * batch.seqLen] = 1 + rng.int(config.vocab_size - 1);
  same(base, await s.evaluate(firstLabel), 'labels of position 0 (dropped by the shift) changed');

  // and a real change is seen: a response token changes the loss
  const changed: Batch = { ...batch, inputIds: batch.inputIds.slice(), labels: batch.labels.slice() };
  const last = batch.seqLen - 1; // row 0 fills seqLen: its last token is a response token
  changed.inputIds[last] = changed.labels[last] = (batch.inputIds[last] % (config.vocab_size - 1)) + 1;
  assert.notEqual((await s.evaluate(changed)).loss, base.loss);
  await s.release();
});

test('swapping chosen and rejected flips rewards/margins and swaps the rewards', async () => {
  const rng = new Rng(6);
  const s = await createTrainSession({ config, weights: initRandomModel(config, 4), loss: { ...loss, sftWeight: 0 }, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
  const batch = randomPreferenceBatch(rng, 3, 10, config.vocab_size);
  const half = (batch.rows / 2) * batch.seqLen;
  const swap = (a: Int32Array) => { const o = new Int32Array(a.length); o.set(a.subarray(half), 0); o.set(a.subarray(0, half), half); return o; };
  const swapped: Batch = { ...batch, inputIds: swap(batch.inputIds), attentionMask: swap(batch.attentionMask), labels: swap(batch.labels) };
  const a = await s.evaluate(batch), b = await s.evaluate(swapped);
  assert.ok(Math.abs(a['rewards/margins']!) > 1e-6);
  assert.ok(Math.abs(a['rewards/margins']! + b['rewards/margins']!) < 1e-12, `margins ${a['rewards/margins']} vs ${b['rewards/margins']}`);
  assert.ok(Math.abs(a['rewards/chosen']! - b['rewards/rejected']!) < 1e-12);
  assert.ok(Math.abs(a['logps/chosen']! - b['logps/rejected']!) < 1e-12);
  assert.ok(Math.abs(a['rewards/accuracies']! + b['rewards/accuracies']! - 1) < 1e-12, 'accuracies complement (no ties)');
  await s.release();
});

test("mistral's sliding window: a key outside every query's window does not count; a wide window changes nothing", async () => {
  const one = makeConfig({ vocab_size: 17, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 10000 });
  const weights = initRandomModel(one, 9);
  const S = 10, R = 2, n = R * S;
  const b: Batch = { rows: R, seqLen: S, inputIds: new Int32Array(n), attentionMask: new Int32Array(n).fill(1), labels: new Int32Array(n).fill(-100) };
  const rng = new Rng(10);
  for (let i = 0; i < n; i++) { b.inputIds[i] = 1 + rng.int(16); if (i % S >= 4) b.labels[i] = b.inputIds[i]; }
  const first: Batch = { ...b, inputIds: b.inputIds.slice() };
  first.inputIds[0] = first.inputIds[S] = (b.inputIds[0] % 16) + 1; // position 0 of both rows, outside the window of positions >= 3
  const mk = (config: typeof one) => createTrainSession({ config, weights, loss: { ...loss, sftWeight: 0 }, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
  const llama = await mk(one), wide = await mk({ ...one, model_type: 'mistral', sliding_window: 64 }), narrow = await mk({ ...one, model_type: 'mistral', sliding_window: 2 });
  same(await llama.evaluate(b), await wide.evaluate(b), 'mistral with a window wider than the sequence');
  assert.notEqual((await llama.evaluate(first)).loss, (await llama.evaluate(b)).loss, 'without a window position 0 counts');
  same(await narrow.evaluate(first), await narrow.evaluate(b), 'window 2: position 0 is outside every scored query');
  assert.notEqual((await narrow.evaluate(b)).loss, (await llama.evaluate(b)).loss);
  for (const s of [llama, wide, narrow]) await s.release();
});
