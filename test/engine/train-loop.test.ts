// Optimizer steps in an ONNX Loop: K = 3 steps in one train() call equal three single-step calls, and gradient
// accumulation over 2 micro-batches of B pairs equals one batch of 2B pairs (same padding); float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch, LossSpec, OptimSpec, StepMetrics, WeightMap } from '../../server/engine/api';
import { createTrainSession } from '../../server/engine/index';
import { initRandomModel, makeConfig, Rng } from '../../server/engine/hf-model';
import { randomPreferenceBatch } from './reference-lib';

const config = makeConfig({ vocab_size: 19, hidden_size: 16, intermediate_size: 20, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 1, rms_norm_eps: 1e-5, rope_theta: 10000 });
const optim: OptimSpec = { weightDecay: 0.05, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, maxGradNorm: 0.3 };
const simpo: LossSpec = { kind: 'simpo', beta: 2, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0.1, sftWeight: 0 };

function closeMetrics(a: StepMetrics[], b: StepMetrics[], tol: number, what: string): void {
  assert.equal(a.length, b.length);
  a.forEach((m, i) => {
    for (const [k, v] of Object.entries(m)) assert.ok(Math.abs(v - (b[i] as any)[k]) <= tol * (1 + Math.abs(v)), `${what}: step ${i} ${k} ${v} vs ${(b[i] as any)[k]}`);
  });
}

function closeWeights(a: WeightMap, b: WeightMap, tol: number, what: string): void {
  for (const [k, t] of a) {
    const u = b.get(k)!.data;
    for (let i = 0; i < t.data.length; i++) assert.ok(Math.abs(t.data[i] - u[i]) <= tol, `${what}: ${k}[${i}] ${t.data[i]} vs ${u[i]}`);
  }
}

test('K = 3 steps in one Loop run equal three single-step runs (SimPO, DPO)', async () => {
  for (const loss of [simpo, { kind: 'dpo', beta: 0.2, labelSmoothing: 0 } as LossSpec]) {
    const rng = new Rng(7);
    const batches = [0, 1, 2].map(() => randomPreferenceBatch(rng, 2, 9, config.vocab_size));
    const lrs = [3e-2, 2e-2, 1e-2];
    const w = initRandomModel(config, 8);
    const mk = () => createTrainSession({ config, weights: w, loss, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
    const one = await mk(), three = await mk();
    const loop = await three.train(batches, lrs);
    const single: StepMetrics[] = [];
    for (let k = 0; k < 3; k++) single.push(...await one.train([batches[k]], [lrs[k]]));
    closeMetrics(loop, single, 1e-12, `${loss.kind} loop vs single`);
    closeWeights(three.weights(), one.weights(), 1e-7, `${loss.kind} weights`); // weights() copies to float32
    assert.equal(three.optimizerState().step, 3);
    const moved = [...three.weights()].some(([k, t]) => t.data.some((x, i) => Math.abs(x - w.get(k)!.data[i]) > 1e-4));
    assert.ok(moved, `${loss.kind}: the parameters moved`);
    await one.release(); await three.release();
  }
});

function joinPairs(a: Batch, b: Batch): Batch {
  const S = a.seqLen, ha = (a.rows / 2) * S, hb = (b.rows / 2) * S;
  const cat = (x: Int32Array, y: Int32Array) => { const o = new Int32Array(x.length + y.length); o.set(x.subarray(0, ha), 0); o.set(y.subarray(0, hb), ha); o.set(x.subarray(ha), ha + hb); o.set(y.subarray(hb), 2 * ha + hb); return o; };
  return { rows: a.rows + b.rows, seqLen: S, inputIds: cat(a.inputIds, b.inputIds), attentionMask: cat(a.attentionMask, b.attentionMask), labels: cat(a.labels, b.labels) };
}

test('gradient accumulation: 2 micro-batches of B pairs equal one batch of 2B pairs', async () => {
  for (const loss of [simpo, { kind: 'dpo', beta: 0.2, labelSmoothing: 0.1 } as LossSpec]) {
    const rng = new Rng(9);
    const micro = [0, 1, 2, 3].map(() => randomPreferenceBatch(rng, 2, 8, config.vocab_size));
    const w = initRandomModel(config, 10);
    const ga = await createTrainSession({ config, weights: w, loss, optim, gradientAccumulationSteps: 2, threads: 1, dtype: 'float64' });
    const full = await createTrainSession({ config, weights: w, loss, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
    const lrs = [2e-2, 1e-2];
    const a = await ga.train(micro, lrs);
    const b = await full.train([joinPairs(micro[0], micro[1]), joinPairs(micro[2], micro[3])], lrs);
    const drop = (ms: StepMetrics[]) => ms.map(({ 'logits/chosen': _c, 'logits/rejected': _r, ...rest }) => rest as StepMetrics);
    closeMetrics(drop(a), drop(b), 1e-10, `${loss.kind} accumulation`);
    // logits/* are means over equal-size micro-batches: their average equals the joint mean too
    closeMetrics(a, b, 1e-10, `${loss.kind} accumulation (logits)`);
    closeWeights(ga.weights(), full.weights(), 1e-7, `${loss.kind} accumulation weights`);
    await ga.release(); await full.release();
  }
});

test('resuming from weights() and optimizerState() continues exactly (checkpoint round trip)', async () => {
  const rng = new Rng(12);
  const batches = [0, 1].map(() => randomPreferenceBatch(rng, 2, 8, config.vocab_size));
  const w = initRandomModel(config, 13);
  const mk = (weights: WeightMap) => createTrainSession({ config, weights, loss: simpo, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
  const straight = await mk(w);
  const both = await straight.train(batches, [2e-2, 1e-2]);
  const first = await mk(w);
  await first.train([batches[0]], [2e-2]);
  const state = first.optimizerState();
  assert.equal(state.step, 1);
  const resumed = await mk(first.weights());
  resumed.setOptimizerState(state);
  const second = await resumed.train([batches[1]], [1e-2]);
  // the checkpoint holds float32 copies: agreement to float32 precision
  closeMetrics([both[1]], second, 1e-5, 'resumed step');
  closeWeights(straight.weights(), resumed.weights(), 1e-6, 'resumed weights');
  assert.throws(() => resumed.setOptimizerState({ ...state, m: new Map() }), /optimizer state m: missing tensor/);
  await straight.release(); await first.release(); await resumed.release();
});
