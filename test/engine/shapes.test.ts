// Batch shapes: sequence lengths are padded to a few bucket sizes, steps whose micro-batches fall in one bucket
// share one Loop run, and at most MAX_SESSIONS sessions stay open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch, StepMetrics } from '../../server/engine/api';
import { createTrainSession } from '../../server/engine/index';
import { bucketed, MAX_SESSIONS } from '../../server/engine/session';
import { initRandomModel, makeConfig, Rng } from '../../server/engine/hf-model';
import { randomPreferenceBatch } from './reference-lib';

const config = makeConfig({ vocab_size: 23, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, rms_norm_eps: 1e-5, rope_theta: 10000 });
const loss = { kind: 'simpo', beta: 2, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 } as const;
const optim = { weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, maxGradNorm: 1 };

test('bucket sizes: exact up to 16, multiples of 16 to 128, then eighths of the next power of two', () => {
  assert.deepEqual([1, 7, 16, 17, 32, 33, 100, 128, 129, 200, 256, 257, 400, 512, 513].map(bucketed), [1, 7, 16, 32, 32, 48, 112, 128, 160, 224, 256, 320, 448, 512, 640]);
  for (let s = 1; s <= 2048; s++) { const b = bucketed(s); assert.ok(b >= s && (s <= 16 || b - s < Math.max(16, s / 4)), `${s} -> ${b}`); }
});

test('steps of different lengths in one bucket run in one Loop and match separate runs', async () => {
  const rng = new Rng(4);
  const batches = [20, 30, 25].map((S) => randomPreferenceBatch(rng, 2, S, config.vocab_size));
  const w = initRandomModel(config, 2);
  const a = await createTrainSession({ config, weights: w, loss, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
  const b = await createTrainSession({ config, weights: w, loss, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
  const together = await a.train(batches, [1e-2, 1e-2, 1e-2]);
  assert.deepEqual(a.openSessions(), ['train:4x32']);
  const apart: StepMetrics[] = [];
  for (const x of batches) apart.push(...await b.train([x], [1e-2]));
  together.forEach((m, i) => { for (const [k, v] of Object.entries(m)) assert.ok(Math.abs(v - (apart[i] as any)[k]) < 1e-12, `step ${i} ${k}`); });
  await a.release(); await b.release();
});

test('at most MAX_SESSIONS sessions stay open', async () => {
  const rng = new Rng(5);
  const s = await createTrainSession({ config, weights: initRandomModel(config, 3), loss, optim, gradientAccumulationSteps: 1, threads: 1 });
  for (let S = 3; S < 3 + MAX_SESSIONS + 3; S++) await s.evaluate(randomPreferenceBatch(rng, 1, S, config.vocab_size));
  assert.equal(s.openSessions().length, MAX_SESSIONS);
  assert.ok(!s.openSessions().includes('eval:2x3'), 'the least recently used session was released');
  await s.release();
  assert.equal(s.openSessions().length, 0);
});

function padTo(b: Batch, S: number): Batch {
  const n = b.rows * S;
  const out: Batch = { rows: b.rows, seqLen: S, inputIds: new Int32Array(n), attentionMask: new Int32Array(n), labels: new Int32Array(n).fill(-100) };
  for (let r = 0; r < b.rows; r++) for (let t = 0; t < b.seqLen; t++) {
    out.inputIds[r * S + t] = b.inputIds[r * b.seqLen + t];
    out.attentionMask[r * S + t] = b.attentionMask[r * b.seqLen + t];
    out.labels[r * S + t] = b.labels[r * b.seqLen + t];
  }
  return out;
}

test('micro-batches of different lengths in one accumulated step are padded to one shape', async () => {
  const rng = new Rng(6);
  const mbs = [10, 40, 20, 20].map((S) => randomPreferenceBatch(rng, 2, S, config.vocab_size));
  const w = initRandomModel(config, 4);
  const mk = () => createTrainSession({ config, weights: w, loss, optim, gradientAccumulationSteps: 2, threads: 1, dtype: 'float64' });
  const a = await mk(), b = await mk();
  const got = await a.train(mbs, [1e-2, 1e-2]);
  assert.deepEqual(a.openSessions().sort(), ['train:4x32', 'train:4x48']);
  const want = await b.train([padTo(mbs[0], 48), padTo(mbs[1], 48), mbs[2], mbs[3]], [1e-2, 1e-2]);
  got.forEach((m, i) => {
    for (const [k, v] of Object.entries(m)) if (!k.startsWith('logits/')) assert.ok(Math.abs(v - (want[i] as any)[k]) < 1e-12, `step ${i} ${k} ${v} vs ${(want[i] as any)[k]}`);
  });
  const small = randomPreferenceBatch(rng, 1, 20, config.vocab_size);
  await assert.rejects(a.train([mbs[2], small], [1e-2]), /same number of rows \(step 0: micro-batch 1 has 2, micro-batch 0 has 4\)/);
  await a.release(); await b.release();
});
