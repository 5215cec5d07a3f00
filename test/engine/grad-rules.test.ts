// Every op's vector-Jacobian product against central finite differences, in float64 on tiny shapes: for each
// op a graph computes L = Σ op(inputs) ⊙ W (W fixed random) and its gradients; the same session evaluates L at
// perturbed inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { backward } from '../../server/engine/autodiff';
import { Builder } from '../../server/engine/builder';
import { Graph, type Value } from '../../server/engine/graph';
import { Rng } from '../../server/engine/hf-model';

interface In { shape: number[]; init?: (rng: Rng) => number; int?: number[] }

async function check(name: string, inputs: In[], f: (b: Builder, xs: Value[]) => Value, tol = 1e-6): Promise<void> {
  const rng = new Rng(name.length * 7919 + 3);
  const g = new Graph(name), b = new Builder(g, 'float64');
  const xs = inputs.map((inp, i) => inp.int ? g.input(`i${i}`, 'int64', inp.shape) : g.input(`x${i}`, 'float64', inp.shape, true));
  const y = f(b, xs);
  const wData = Float64Array.from({ length: y.shape.reduce((a, c) => a * c, 1) }, () => rng.normal());
  const loss = b.sumAll(b.mul(y, b.const('float64', y.shape, wData)));
  const diff = xs.filter((x) => x.dtype === 'float64');
  const grads = backward(b, loss, diff);
  g.output(loss, 'loss');
  grads.forEach((gr, i) => g.output(gr, `g${i}`));
  const sess = await ort.InferenceSession.create(g.toModel(), { intraOpNumThreads: 1, graphOptimizationLevel: 'basic' });
  const data = inputs.map((inp) => inp.int ? BigInt64Array.from(inp.int.map(BigInt)) : Float64Array.from({ length: inp.shape.reduce((a, c) => a * c, 1) }, () => (inp.init ?? ((r: Rng) => r.normal()))(rng)));
  const run = async () => {
    const feeds: Record<string, ort.Tensor> = {};
    inputs.forEach((inp, i) => { feeds[xs[i].name] = new ort.Tensor(inp.int ? 'int64' : 'float64', data[i], inp.shape); });
    return sess.run(feeds);
  };
  const base = await run();
  let gi = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].int) continue;
    const an = base[`g${gi++}`].data as Float64Array;
    const d = data[i] as Float64Array;
    assert.equal(an.length, d.length, `${name}: gradient ${i} size`);
    for (let k = 0; k < d.length; k++) {
      const h = 1e-5, old = d[k];
      d[k] = old + h; const lp = Number((await run()).loss.data[0]);
      d[k] = old - h; const lm = Number((await run()).loss.data[0]);
      d[k] = old;
      const fd = (lp - lm) / (2 * h);
      assert.ok(Math.abs(fd - an[k]) <= tol * (1 + Math.abs(fd)), `${name}: d/dx${i}[${k}] analytic ${an[k]} vs finite difference ${fd}`);
    }
  }
  await sess.release();
}

const pos = (r: Rng) => 0.5 + Math.abs(r.normal());
const awayFromZero = (r: Rng) => { const x = r.normal(); return x >= 0 ? x + 0.1 : x - 0.1; };

test('elementwise ops with broadcasting', async () => {
  await check('add', [{ shape: [2, 3] }, { shape: [3] }], (b, [x, y]) => b.add(x, y));
  await check('sub', [{ shape: [2, 1] }, { shape: [2, 3] }], (b, [x, y]) => b.sub(x, y));
  await check('mul', [{ shape: [2, 3, 2] }, { shape: [3, 1] }], (b, [x, y]) => b.mul(x, y));
  await check('div', [{ shape: [2, 3] }, { shape: [1, 3], init: pos }], (b, [x, y]) => b.div(x, y));
  await check('neg', [{ shape: [4] }], (b, [x]) => b.neg(x));
  await check('exp', [{ shape: [4] }], (b, [x]) => b.exp(x));
  await check('log', [{ shape: [4], init: pos }], (b, [x]) => b.log(x));
  await check('sqrt', [{ shape: [4], init: pos }], (b, [x]) => b.sqrt(x));
  await check('reciprocal', [{ shape: [4], init: pos }], (b, [x]) => b.reciprocal(x));
  await check('sigmoid', [{ shape: [5] }], (b, [x]) => b.sigmoid(x));
  await check('relu', [{ shape: [6], init: awayFromZero }], (b, [x]) => b.relu(x));
  await check('negLogSigmoid', [{ shape: [6], init: (r) => 8 * r.normal() }], (b, [x]) => b.negLogSigmoid(x));
  await check('silu', [{ shape: [6] }], (b, [x]) => b.silu(x));
  await check('where', [{ shape: [2, 3] }, { shape: [3] }], (b, [x, y]) => b.where(b.greater(x, b.scalar(0)), x, y));
});

test('linear algebra: MatMul (batched, broadcast) and Gemm (all transpositions)', async () => {
  await check('matmul', [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }], (b, [x, y]) => b.matmul(x, y));
  await check('matmul-broadcast', [{ shape: [2, 2, 3, 4] }, { shape: [4, 3] }], (b, [x, y]) => b.matmul(x, y));
  for (const [tA, tB] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    await check(`gemm${tA}${tB}`, [{ shape: tA ? [4, 3] : [3, 4] }, { shape: tB ? [2, 4] : [4, 2] }], (b, [x, y]) => b.gemm(x, y, tA, tB));
  }
});

test('shape ops: Reshape, Transpose, Slice, Concat, Split', async () => {
  await check('reshape', [{ shape: [2, 6] }], (b, [x]) => b.reshape(x, [3, 4]));
  await check('transpose', [{ shape: [2, 3, 4] }], (b, [x]) => b.transpose(x, [2, 0, 1]));
  await check('slice', [{ shape: [3, 5] }], (b, [x]) => b.slice(x, 1, 1, 4));
  await check('concat', [{ shape: [2, 2] }, { shape: [2, 3] }], (b, [x, y]) => b.concat([x, y], 1));
  await check('split', [{ shape: [2, 6] }], (b, [x]) => { const [p, q] = b.split(x, 1, [2, 4]); return b.mul(p, b.slice(q, 1, 1, 3)); });
  await check('split-unused-part', [{ shape: [5, 2] }], (b, [x]) => b.split(x, 0, [1, 3, 1])[1]);
});

test('reductions, softmax, log-softmax, RMSNorm', async () => {
  await check('reduceSum', [{ shape: [2, 3, 4] }], (b, [x]) => b.sum(x, [0, 2]));
  await check('reduceSum-keep', [{ shape: [2, 3] }], (b, [x]) => b.sum(x, [1], true));
  await check('reduceMean', [{ shape: [2, 3, 4] }], (b, [x]) => b.mean(x, [-1], true));
  await check('softmax', [{ shape: [2, 5] }], (b, [x]) => b.softmax(x));
  await check('logSoftmax', [{ shape: [2, 5] }], (b, [x]) => b.logSoftmax(x));
  await check('rmsNorm', [{ shape: [3, 4] }, { shape: [4] }], (b, [x, w]) => b.rmsNorm(x, w, 1e-5));
});

test('indexing: Gather (repeated ids) and GatherElements', async () => {
  await check('gather', [{ shape: [5, 3] }, { shape: [2, 3], int: [0, 4, 0, 2, 2, 0] }], (b, [t, ids]) => b.gather(t, ids));
  await check('gatherElements', [{ shape: [3, 4] }, { shape: [3, 1], int: [3, 0, 3] }], (b, [x, idx]) => b.gatherElements(x, idx, 1));
});

test('tokenLogp (log-softmax picked at the targets, one scatter as its VJP)', async () => {
  await check('tokenLogp', [{ shape: [4, 6], init: (r) => 3 * r.normal() }, { shape: [4, 1], int: [5, 0, 5, 2] }], (b, [x, idx]) => b.tokenLogp(x, idx));
  await check('tokenLogp-large', [{ shape: [2, 3], init: (r) => 200 + r.normal() }, { shape: [2, 1], int: [1, 2] }], (b, [x, idx]) => b.tokenLogp(x, idx));
});

test('tokenLogp is stable in float32 for large logits', async () => {
  const g = new Graph('stable'), b = new Builder(g, 'float32');
  const x = g.input('x', 'float32', [1, 3]), i = g.input('i', 'int64', [1, 1]);
  g.output(b.tokenLogp(x, i), 'y');
  const s = await ort.InferenceSession.create(g.toModel(), { intraOpNumThreads: 1 });
  const r = await s.run({ x: new ort.Tensor('float32', Float32Array.of(1000, 1001, 999), [1, 3]), i: new ort.Tensor('int64', BigInt64Array.of(1n), [1, 1]) });
  const want = 1001 - (1001 + Math.log(Math.exp(-1) + 1 + Math.exp(-2)));
  assert.ok(Math.abs(Number(r.y.data[0]) - want) < 1e-3, `${r.y.data[0]} vs ${want}`);
  await s.release();
});
