// Clear errors: an unsupported architecture, an execution provider this install lacks, malformed batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { createTrainSession } from '../../server/engine/index';
import { initRandomModel, makeConfig, Rng } from '../../server/engine/hf-model';
import { randomPreferenceBatch } from './reference-lib';

const config = makeConfig({ vocab_size: 11, hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 10000 });
const base = {
  config, weights: initRandomModel(config, 1), gradientAccumulationSteps: 1, threads: 1,
  loss: { kind: 'simpo', beta: 2, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 } as const,
  optim: { weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, maxGradNorm: 1 },
};

test('an unsupported model_type names itself and the supported ones', async () => {
  await assert.rejects(createTrainSession({ ...base, config: { ...config, model_type: 'gpt2' } }), /unsupported model_type 'gpt2'.*llama, mistral, qwen2/);
});

test('cuda without its provider libraries is a clear error', async (t) => {
  const cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
  if (cuda?.bundled) { t.skip('this onnxruntime-node bundles CUDA'); return; }
  await assert.rejects(createTrainSession({ ...base, provider: 'cuda' }), /'cuda' is (unavailable|not supported).*(libonnxruntime_providers_cuda|lists)/);
});

test('an unknown provider and malformed batches are clear errors', async () => {
  await assert.rejects(createTrainSession({ ...base, provider: 'tpu' as any }), /'tpu' is not supported/);
  const s = await createTrainSession(base);
  const b = randomPreferenceBatch(new Rng(1), 2, 6, config.vocab_size);
  await assert.rejects(s.evaluate({ ...b, labels: b.labels.slice(1) }), /labels has 23 entries, expected rows × seqLen = 4 × 6 = 24/);
  const bad = { ...b, inputIds: b.inputIds.slice() };
  bad.inputIds[7] = 99;
  await assert.rejects(s.evaluate(bad), /token id 99 at row 1, position 1 is outside the vocabulary \(size 11\)/);
  await assert.rejects(s.evaluate({ ...b, rows: 3, inputIds: b.inputIds.slice(0, 18), attentionMask: b.attentionMask.slice(0, 18), labels: b.labels.slice(0, 18) }), /even number of rows/);
  await assert.rejects(s.train([b, b], [1e-3]), /2 micro-batches for 1 steps/);
  await assert.rejects(createTrainSession({ ...base, weights: new Map() }), /weights: missing tensor model.embed_tokens.weight/);
  await s.release();
});

test('webgpu either starts or says it could not', async () => {
  try {
    const s = await createTrainSession({ ...base, provider: 'webgpu' });
    await s.release();
  } catch (e) {
    assert.match((e as Error).message, /execution provider 'webgpu' could not start: ./);
  }
});

test('qwen2 with use_sliding_window is refused clearly', async () => {
  await assert.rejects(createTrainSession({ ...base, config: { ...config, model_type: 'qwen2', use_sliding_window: true } }), /qwen2 with use_sliding_window: true is not supported/);
});

test('rope_scaling: linear and llama3 run (and change the model), others are refused', async () => {
  const rng = new Rng(2);
  const b = randomPreferenceBatch(rng, 2, 12, config.vocab_size);
  const losses: number[] = [];
  for (const rope_scaling of [null, { rope_type: 'linear', factor: 4 }, { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 4 }]) {
    const s = await createTrainSession({ ...base, config: { ...config, rope_scaling } });
    losses.push((await s.evaluate(b)).loss);
    await s.release();
  }
  assert.equal(new Set(losses).size, 3, `losses ${losses}`);
  await assert.rejects(createTrainSession({ ...base, config: { ...config, rope_scaling: { rope_type: 'yarn', factor: 2 } } }), /rope_scaling type 'yarn' is not supported by the built-in engine/);
});
