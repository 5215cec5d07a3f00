// The whole tiny model's gradients (every parameter tensor; a few elements of each) against central finite
// differences of evaluate(), in float64, for SimPO (sigmoid with label smoothing and sft_weight; hinge), DPO
// against a different reference model, and SFT; llama with GQA and qwen2 with q/k/v biases and tied embeddings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch, LlamaConfig, LossSpec, WeightMap } from '../../server/engine/api';
import { createTrainSession, paramSpecs } from '../../server/engine/index';
import { cloneWeights, initRandomModel, makeConfig, Rng } from '../../server/engine/hf-model';
import { randomPreferenceBatch, randomSftBatch } from './reference-lib';

const optim = { weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, maxGradNorm: 0 };
const llama = makeConfig({ vocab_size: 13, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 10000 });
const qwen = makeConfig({ model_type: 'qwen2', vocab_size: 11, hidden_size: 8, intermediate_size: 10, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, tie_word_embeddings: true, rms_norm_eps: 1e-6, rope_theta: 1e6 });

function perturbNorms(w: WeightMap, seed: number): WeightMap {
  const rng = new Rng(seed);
  for (const [k, t] of w) {
    const s = k.endsWith('norm.weight') || k.endsWith('.bias') ? 0.2 : 0.5; // larger weights: larger, well-conditioned gradients
    for (let i = 0; i < t.data.length; i++) t.data[i] = k.endsWith('norm.weight') ? 1 + s * rng.normal() : t.data[i] * 8 + (k.endsWith('.bias') ? s * rng.normal() : 0);
  }
  return w;
}

async function checkModel(name: string, config: LlamaConfig, loss: LossSpec, batch: Batch, refWeights?: WeightMap): Promise<void> {
  const weights = perturbNorms(initRandomModel(config, 17), 5);
  const s = await createTrainSession({ config, weights, refWeights, loss, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
  const { grads, metrics } = await s.lossAndGrads(batch);
  assert.ok(Number.isFinite(metrics.loss), `${name}: loss ${metrics.loss}`);
  const rng = new Rng(99);
  let nonzero = 0;
  for (const { name: pn, shape } of paramSpecs(config)) {
    const g = grads.get(pn)!;
    const n = shape.reduce((a, b) => a * b, 1);
    assert.equal(g.length, n);
    for (let k = 0; k < 3; k++) {
      const idx = rng.int(n);
      const w = cloneWeights(weights), t = w.get(pn)!, h = 1e-4;
      const at = async (x: number) => { const w2 = cloneWeights(w); w2.get(pn)!.data[idx] = x; s.setWeights(w2); return (await s.evaluate(batch)).loss; };
      // a WeightMap stores float32: divide by the perturbation actually stored (exact in float64)
      const x0 = t.data[idx], xp = Math.fround(x0 + h), xm = Math.fround(x0 - h);
      const fd = ((await at(xp)) - (await at(xm))) / (xp - xm);
      if (Math.abs(g[idx]) > 1e-6) nonzero++;
      assert.ok(Math.abs(fd - g[idx]) <= 1e-5 * (1 + Math.abs(fd)) + 1e-7, `${name}: ${pn}[${idx}] analytic ${g[idx]} vs finite difference ${fd}`);
    }
  }
  assert.ok(nonzero > paramSpecs(config).length, `${name}: too few nonzero gradients checked (${nonzero})`);
  await s.release();
}

test('SimPO sigmoid with label smoothing and sft_weight: gradients of every parameter (llama, GQA)', async () => {
  const rng = new Rng(1);
  await checkModel('simpo', llama, { kind: 'simpo', beta: 2, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0.1, sftWeight: 0.3 }, randomPreferenceBatch(rng, 2, 7, llama.vocab_size));
});

test('SimPO hinge: gradients (qwen2: biases, tied embeddings, one kv head)', async () => {
  const rng = new Rng(2);
  await checkModel('hinge', qwen, { kind: 'simpo', beta: 0.5, gammaBetaRatio: 0.3, lossType: 'hinge', labelSmoothing: 0, sftWeight: 0 }, randomPreferenceBatch(rng, 2, 6, qwen.vocab_size));
});

test('DPO against a different frozen reference model: gradients', async () => {
  const rng = new Rng(3);
  await checkModel('dpo', llama, { kind: 'dpo', beta: 0.5, labelSmoothing: 0.05 }, randomPreferenceBatch(rng, 2, 7, llama.vocab_size), initRandomModel(llama, 23));
});

test('SFT cross-entropy: gradients', async () => {
  const rng = new Rng(4);
  await checkModel('sft', qwen, { kind: 'sft' }, randomSftBatch(rng, 3, 6, qwen.vocab_size));
});
