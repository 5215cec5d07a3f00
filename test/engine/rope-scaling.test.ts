// RoPE with rope_scaling ('linear', 'llama3' as Llama 3.1/3.2 ship) against the independent PyTorch reference:
// losses and metrics of two float64 AdamW steps. Needs python3 with torch (SIMPO_SKIP_TORCH=1 skips).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlamaConfig, LossSpec, OptimSpec } from '../../server/engine/api';
import { createTrainSession } from '../../server/engine/index';
import { cloneWeights, initRandomModel, makeConfig, Rng } from '../../server/engine/hf-model';
import { writeSafetensors } from '../../server/engine/safetensors';
import { batchJson, findTorchPython, INSTALL_HINT, randomPreferenceBatch, runReference } from './reference-lib';

const skip = process.env.SIMPO_SKIP_TORCH === '1';

test('rope_scaling linear and llama3 match the PyTorch reference (float64)', { skip: skip ? 'SIMPO_SKIP_TORCH=1' : false }, async () => {
  const python = findTorchPython();
  if (!python) assert.fail(`no python3 with torch found: ${INSTALL_HINT}`);
  const dir = mkdtempSync(join(tmpdir(), 'simpo-rope-'));
  try {
    const base = makeConfig({ vocab_size: 40, hidden_size: 32, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1, rope_theta: 500000 });
    const configs: LlamaConfig[] = [
      { ...base, rope_scaling: { rope_type: 'linear', factor: 4 } },
      { ...base, rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 } },
    ];
    const loss: LossSpec = { kind: 'simpo', beta: 2, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 };
    const optim: OptimSpec = { weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, maxGradNorm: 1 };
    const rng = new Rng(31);
    const batches = [0, 1].map(() => randomPreferenceBatch(rng, 2, 24, base.vocab_size));
    const lrs = [1e-2, 5e-3];
    const weights = configs.map((c, i) => initRandomModel(c, 40 + i));
    const ref = runReference(python, dir, {
      threads: 1,
      cases: configs.map((config, i) => {
        const w = join(dir, `w${i}.safetensors`);
        writeSafetensors(w, weights[i]);
        return { config, weights: w, loss, optim: { ...optim, noDecay: 'hf' }, batches: batches.map(batchJson), lrs, gradientAccumulationSteps: 1, dtype: 'float64' };
      }),
    });
    for (const [i, config] of configs.entries()) {
      const s = await createTrainSession({ config, weights: cloneWeights(weights[i]), loss, optim, gradientAccumulationSteps: 1, threads: 1, dtype: 'float64' });
      const got = await s.train(batches, lrs);
      for (const [k, want] of Object.entries(ref.cases[i].steps[1] as Record<string, number>)) {
        const g = (got[1] as unknown as Record<string, number>)[k];
        assert.ok(Math.abs(g - want) <= 1e-8 * (1 + Math.abs(want)), `${JSON.stringify(config.rope_scaling)}: step 1 ${k} engine ${g} torch ${want}`);
      }
      await s.release();
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
