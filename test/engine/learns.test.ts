// Float32 training learns: a tiny model trained with SimPO to prefer responses that repeat the prompt's last
// token over random ones raises the margin and reaches full accuracy on held-out pairs; greedy decoding then
// continues a prompt with that token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch } from '../../server/engine/api';
import { createTrainSession } from '../../server/engine/index';
import { initRandomModel, makeConfig, Rng } from '../../server/engine/hf-model';

const V = 16, S = 12, PAIRS = 4;
const config = makeConfig({ vocab_size: V, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 10000 });

function pairs(rng: Rng): Batch {
  const R = 2 * PAIRS, n = R * S;
  const b: Batch = { rows: R, seqLen: S, inputIds: new Int32Array(n), attentionMask: new Int32Array(n).fill(1), labels: new Int32Array(n).fill(-100) };
  for (let p = 0; p < PAIRS; p++) {
    const prompt = [1 + rng.int(V - 1), 1 + rng.int(V - 1), 1 + rng.int(V - 1)];
    const good = Array(S - 3).fill(prompt[2]);
    const bad = Array.from({ length: S - 3 }, () => 1 + rng.int(V - 1));
    [[p, good], [PAIRS + p, bad]].forEach(([row, resp]) => {
      const seq = [...prompt, ...(resp as number[])];
      seq.forEach((t, i) => { b.inputIds[(row as number) * S + i] = t; if (i >= 3) b.labels[(row as number) * S + i] = t; });
    });
  }
  return b;
}

test('SimPO in float32 learns a preference and greedy decoding follows it', async () => {
  const rng = new Rng(21);
  const s = await createTrainSession({
    config, weights: initRandomModel(config, 1), gradientAccumulationSteps: 1, threads: 1,
    loss: { kind: 'simpo', beta: 2, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 },
    optim: { weightDecay: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, maxGradNorm: 1 },
  });
  const held = pairs(new Rng(99));
  const before = await s.evaluate(held);
  for (let round = 0; round < 6; round++) {
    const batches = Array.from({ length: 10 }, () => pairs(rng));
    const ms = await s.train(batches, batches.map(() => 3e-3));
    assert.ok(ms.every((m) => Number.isFinite(m.loss) && Number.isFinite(m.grad_norm!)));
  }
  const after = await s.evaluate(held);
  assert.ok(after.loss < before.loss - 0.3, `loss ${before.loss} -> ${after.loss}`);
  assert.ok(after['rewards/margins']! > before['rewards/margins']! + 1, `margins ${before['rewards/margins']} -> ${after['rewards/margins']}`);
  assert.equal(after['rewards/accuracies'], 1);
  const [out] = await s.generate([[5, 9, 7]], 4, []);
  assert.equal(out.length, 4);
  assert.ok(out.filter((t) => t === 7).length >= 3, `greedy continuation of [5, 9, 7]: ${out}`);
  await s.release();
});
