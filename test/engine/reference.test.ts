// The engine against an independent PyTorch implementation (test/engine/reference.py): same random model, same
// batches, same hyperparameters; losses and metrics of every step, and every parameter after the AdamW steps,
// must agree to float32 precision. Needs python3 with torch (see INSTALL_HINT); SIMPO_SKIP_TORCH=1 skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch, LlamaConfig, LossSpec, OptimSpec, StepMetrics, WeightMap } from '../../server/engine/api';
import { createTrainSession } from '../../server/engine/index';
import { cloneWeights, initRandomModel, makeConfig, ropeInverseFrequencies, Rng } from '../../server/engine/hf-model';
import { readSafetensors, writeSafetensors } from '../../server/engine/safetensors';
import { batchJson, findTorchPython, INSTALL_HINT, randomPreferenceBatch, randomSftBatch, runReference } from './reference-lib';

const skip = process.env.SIMPO_SKIP_TORCH === '1';
const python = skip ? null : findTorchPython();
const dir = mkdtempSync(join(tmpdir(), 'simpo-ref-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  config: LlamaConfig;
  weights: WeightMap;
  refWeights?: WeightMap;
  loss: LossSpec;
  optim: OptimSpec;
  batches: Batch[];
  lrs: number[];
  ga: number;
  generate?: { prompts: number[][]; maxNewTokens: number; eosIds: number[] };
  /** run every step in one train() call (the engine may run them as one ONNX Loop) */
  oneCall?: boolean;
  /** float64 on both sides: metrics must then agree to ~1e-9, which leaves no room for a different formula */
  float64?: boolean;
}

const llama = makeConfig({ vocab_size: 96, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 500000 });
const qwen = makeConfig({ model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'], vocab_size: 80, hidden_size: 32, intermediate_size: 40, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 1, tie_word_embeddings: true, rms_norm_eps: 1e-6, rope_theta: 1000000 });
const mistral = makeConfig({ model_type: 'mistral', architectures: ['MistralForCausalLM'], vocab_size: 64, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, sliding_window: 5 });
// head_dim 8, theta 1e4: wavelengths 6.3, 63, 628, 6283 against bands [16, 64]: high, medium and low frequencies
const llamaRope3 = makeConfig({ vocab_size: 64, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, rope_theta: 10000,
  rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 } });
const optim: OptimSpec = { weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, maxGradNorm: 0.5 };

function withRandomBiases(config: LlamaConfig, w: WeightMap, seed: number): WeightMap {
  const rng = new Rng(seed);
  for (const [k, t] of w) if (k.endsWith('.bias') || k.endsWith('norm.weight')) for (let i = 0; i < t.data.length; i++) t.data[i] += rng.normal() * 0.1;
  return w;
}

function cases(): Case[] {
  const rng = new Rng(11);
  const pref = (n: number, cfg: LlamaConfig, pairs = 3, seq = 16) => Array.from({ length: n }, () => randomPreferenceBatch(rng, pairs, seq, cfg.vocab_size));
  const lrs = [2e-3, 1e-3, 5e-4];
  return [
    { name: 'simpo sigmoid + label smoothing + sft_weight, GQA, clipping, weight decay', config: llama, weights: initRandomModel(llama, 1),
      loss: { kind: 'simpo', beta: 2.0, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0.1, sftWeight: 0.3 }, optim, batches: pref(3, llama), lrs, ga: 1, oneCall: true },
    { name: 'simpo hinge, gradient accumulation 2, no clipping', config: llama, weights: initRandomModel(llama, 2),
      loss: { kind: 'simpo', beta: 2.5, gammaBetaRatio: 0.3, lossType: 'hinge', labelSmoothing: 0, sftWeight: 0 }, optim: { ...optim, maxGradNorm: 0 }, batches: pref(4, llama), lrs: lrs.slice(0, 2), ga: 2, oneCall: true },
    { name: 'dpo against a different reference model', config: llama, weights: initRandomModel(llama, 3), refWeights: initRandomModel(llama, 4),
      loss: { kind: 'dpo', beta: 0.1, labelSmoothing: 0.05 }, optim, batches: pref(3, llama), lrs, ga: 1 },
    { name: 'qwen2: tied embeddings, q/k/v biases, one kv head; greedy generation', config: qwen, weights: withRandomBiases(qwen, initRandomModel(qwen, 5), 6),
      loss: { kind: 'simpo', beta: 2.0, gammaBetaRatio: 0.25, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 }, optim, batches: pref(2, qwen, 2, 12), lrs: lrs.slice(0, 2), ga: 1,
      generate: { prompts: [[1, 2, 3], [7, 8, 9, 10, 11]], maxNewTokens: 6, eosIds: [0] } },
    { name: 'mistral: sliding window 5 over 16 tokens', config: mistral, weights: initRandomModel(mistral, 8),
      loss: { kind: 'simpo', beta: 2.0, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 }, optim, batches: pref(2, mistral), lrs: lrs.slice(0, 2), ga: 1 },
    { name: 'float64: simpo sigmoid + label smoothing + sft_weight, clipping, decay, 3 steps in one call', config: llama, weights: initRandomModel(llama, 10), float64: true, oneCall: true,
      loss: { kind: 'simpo', beta: 2.0, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0.1, sftWeight: 0.3 }, optim, batches: pref(3, llama), lrs, ga: 1 },
    { name: 'float64: dpo with its own reference model, gradient accumulation 2', config: llama, weights: initRandomModel(llama, 12), refWeights: initRandomModel(llama, 13), float64: true,
      loss: { kind: 'dpo', beta: 0.1, labelSmoothing: 0 }, optim, batches: pref(4, llama), lrs: lrs.slice(0, 2), ga: 2 },
    { name: 'llama3 rope scaling (all three frequency bands)', config: llamaRope3, weights: initRandomModel(llamaRope3, 14),
      loss: { kind: 'simpo', beta: 2.0, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 }, optim, batches: pref(2, llamaRope3), lrs: lrs.slice(0, 2), ga: 1 },
    { name: 'sft', config: llama, weights: initRandomModel(llama, 7),
      loss: { kind: 'sft' }, optim, batches: [randomSftBatch(rng, 4, 16, llama.vocab_size)], lrs: [1e-3], ga: 1 },
  ];
}

function close(a: number, b: number, rtol: number, atol: number): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

test('engine matches the independent PyTorch reference (losses, metrics, parameters after AdamW steps)', { skip: skip ? 'SIMPO_SKIP_TORCH=1' : false }, async () => {
  if (!python) assert.fail(`no python3 with torch found: ${INSTALL_HINT}`);
  const all = cases();
  // one python process for every case (torch's import is the slow part)
  const input = {
    threads: 2,
    cases: all.map((c, i) => {
      const w = join(dir, `w${i}.safetensors`);
      writeSafetensors(w, c.weights);
      let ref: string | undefined;
      if (c.refWeights) { ref = join(dir, `r${i}.safetensors`); writeSafetensors(ref, c.refWeights); }
      return {
        config: c.config, weights: w, ref_weights: ref, loss: c.loss, optim: { ...c.optim, noDecay: 'hf' }, batches: c.batches.map(batchJson),
        lrs: c.lrs, gradientAccumulationSteps: c.ga, out_weights: join(dir, `o${i}.safetensors`), generate: c.generate, dtype: c.float64 ? 'float64' : 'float32',
      };
    }),
  };
  const ref = runReference(python, dir, input);
  const failures: string[] = [];
  for (const [i, c] of all.entries()) {
    const session = await createTrainSession({
      config: c.config, weights: cloneWeights(c.weights), refWeights: c.refWeights && cloneWeights(c.refWeights), loss: c.loss, optim: c.optim,
      gradientAccumulationSteps: c.ga, provider: 'cpu', threads: 2, dtype: c.float64 ? 'float64' : 'float32',
    });
    const [rtol, atol] = c.float64 ? [1e-9, 1e-11] : [1e-4, 1e-5];
    try {
      const got: StepMetrics[] = [];
      if (c.oneCall) got.push(...await session.train(c.batches, c.lrs)); // all steps in one call: the engine's Loop path
      else for (let s = 0; s < c.lrs.length; s++) got.push(...await session.train(c.batches.slice(s * c.ga, (s + 1) * c.ga), [c.lrs[s]]));
      const want: Record<string, number>[] = ref.cases[i].steps;
      assert.equal(got.length, want.length, `${c.name}: number of steps`);
      for (let s = 0; s < want.length; s++) {
        for (const [k, v] of Object.entries(want[s])) {
          const g = (got[s] as unknown as Record<string, number | undefined>)[k];
          if (g === undefined) {
            // the engine may omit optional metrics, but never the loss or grad_norm
            if (k === 'loss' || k === 'grad_norm') failures.push(`${c.name}: step ${s}: ${k} missing`);
            continue;
          }
          if (!close(g, v, rtol, atol)) failures.push(`${c.name}: step ${s}: ${k} engine ${g} torch ${v}`);
        }
      }
      // parameters after the steps: the update (after − before) must agree, tensor by tensor
      const after = session.weights();
      const torchAfter = readSafetensors(join(dir, `o${i}.safetensors`)).tensors;
      for (const [name, t] of torchAfter) {
        const e = after.get(name);
        if (!e) { failures.push(`${c.name}: parameter ${name} missing from session.weights()`); continue; }
        const before = c.weights.get(name)!.data;
        let diff = 0, upd = 0, maxAbs = 0;
        for (let j = 0; j < t.data.length; j++) {
          const du = (e.data[j] - before[j]) - (t.data[j] - before[j]);
          diff += du * du;
          upd += (t.data[j] - before[j]) ** 2;
          maxAbs = Math.max(maxAbs, Math.abs(e.data[j] - t.data[j]));
        }
        const rel = Math.sqrt(diff) / Math.max(Math.sqrt(upd), 1e-12);
        // float64 runs are compared after rounding both to float32 (what weights() returns)
        if (rel > 2e-3 || maxAbs > (c.float64 ? 2.5e-7 : 1e-4)) failures.push(`${c.name}: parameter ${name}: update relative error ${rel.toExponential(2)}, max abs diff ${maxAbs.toExponential(2)}`);
      }
      if (c.generate) {
        const gen = await session.generate(c.generate.prompts, c.generate.maxNewTokens, c.generate.eosIds);
        assert.deepEqual(gen, ref.cases[i].generated, `${c.name}: greedy generation`);
      }
    } finally {
      await session.release();
    }
  }
  assert.deepEqual(failures, [], `engine and PyTorch disagree:\n${failures.join('\n')}`);
});

test('engine evaluate() equals the loss and metrics of a train() step at the same weights', { skip: skip ? 'SIMPO_SKIP_TORCH=1' : false }, async () => {
  if (!python) assert.fail(`no python3 with torch found: ${INSTALL_HINT}`);
  const rng = new Rng(21);
  const b = randomPreferenceBatch(rng, 3, 16, llama.vocab_size);
  const w = initRandomModel(llama, 9);
  const wPath = join(dir, 'eval.safetensors');
  writeSafetensors(wPath, w);
  const loss: LossSpec = { kind: 'simpo', beta: 2.0, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 };
  const ref = runReference(python, dir, { threads: 2, cases: [{ config: llama, weights: wPath, loss, optim, batches: [batchJson(b)], lrs: [0], gradientAccumulationSteps: 1 }] });
  const session = await createTrainSession({ config: llama, weights: cloneWeights(w), loss, optim, gradientAccumulationSteps: 1, provider: 'cpu', threads: 2 });
  try {
    const m = await session.evaluate(b) as unknown as Record<string, number | undefined>;
    for (const [k, v] of Object.entries(ref.cases[0].steps[0] as Record<string, number>)) {
      if (k === 'grad_norm' || k === 'learning_rate' || m[k] === undefined) continue;
      assert.ok(close(m[k]!, v, 1e-4, 1e-5), `evaluate ${k}: engine ${m[k]} torch ${v}`);
    }
  } finally {
    await session.release();
  }
});

test('RoPE inverse frequencies (default, linear, llama3 scaling) match the PyTorch reference', { skip: skip ? 'SIMPO_SKIP_TORCH=1' : false }, () => {
  if (!python) assert.fail(`no python3 with torch found: ${INSTALL_HINT}`);
  const base = makeConfig({ vocab_size: 8, hidden_size: 2048, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 32, num_key_value_heads: 8, rope_theta: 500000 });
  const configs: LlamaConfig[] = [
    base,
    { ...base, rope_scaling: { rope_type: 'linear', factor: 4 } },
    // Llama 3.2 1B's values
    { ...base, rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } },
    { ...base, rope_theta: 10000, rope_scaling: { type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 2048 } },
  ];
  const ref = runReference(python, dir, { threads: 1, rope_configs: configs });
  configs.forEach((c, i) => {
    const got = ropeInverseFrequencies(c);
    const want: number[] = ref.rope[i];
    assert.equal(got.length, want.length);
    for (let j = 0; j < want.length; j++) assert.ok(close(got[j], want[j], 1e-12, 0), `config ${i}, frequency ${j}: ${got[j]} vs ${want[j]}`);
  });
  // llama3 scaling changes the low frequencies only
  const d = ropeInverseFrequencies(configs[0]), l3 = ropeInverseFrequencies(configs[2]);
  assert.equal(l3[0], d[0]);
  assert.ok(Math.abs(l3[l3.length - 1] - d[d.length - 1] / 32) < 1e-18);
});
