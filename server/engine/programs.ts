// The ONNX programs the session runs, each built for one batch shape [rows, seqLen]:
//  - train: K optimizer steps in one ONNX Loop (parameters and Adam moments loop-carried, per-step metrics as
//    scan outputs); each step accumulates the gradients of A micro-batches (an inner Loop when A > 1), clips
//    them and applies AdamW;
//  - grad: loss, metrics and every parameter's gradient for one batch (gradient checks, float64);
//  - eval: metrics only; ref: summed response log-probs (DPO's frozen reference); next: greedy next tokens.
import type { LlamaConfig, LossSpec, OptimSpec } from './api';
import { backward } from './autodiff';
import { Builder } from './builder';
import { Graph, type FloatDT, type Value } from './graph';
import { buildLoss, metricNames, sequenceLogps } from './losses';
import { decoderHidden, decoderLogits, lmHead, paramSpecs } from './model';
import { adamwStep, clipGrads, globalNorm } from './optimizer';

export interface Shape { rows: number; seqLen: number }
export interface MicroBatchValues { ids: Value; kbias: Value; targets: Value; tmask: Value; lweight: Value; refSums?: Value }

function addParams(g: Graph, c: LlamaConfig, T: FloatDT, prefix: string, rg: boolean): Map<string, Value> {
  const P = new Map<string, Value>();
  for (const s of paramSpecs(c)) P.set(s.name, g.input(prefix + s.name, T, s.shape, rg));
  return P;
}

function batchInputs(g: Graph, T: FloatDT, { rows: R, seqLen: S }: Shape, withRef: boolean): MicroBatchValues {
  return {
    ids: g.input('ids', 'int64', [R, S]),
    kbias: g.input('kbias', T, [R, S]),
    targets: g.input('targets', 'int64', [R, S]),
    tmask: g.input('tmask', T, [R, S]),
    lweight: g.input('lweight', T, [R, S]),
    refSums: withRef ? g.input('ref_sums', T, [R]) : undefined,
  };
}

function lossAndMetrics(b: Builder, c: LlamaConfig, loss: LossSpec, P: Map<string, Value>, mb: MicroBatchValues) {
  const logits = decoderLogits(b, c, P, mb.ids, mb.kbias);
  return buildLoss(b, loss, { logits, targets: mb.targets, tmask: mb.tmask, lweight: mb.lweight, refSums: mb.refSums });
}

/** Loss metrics and gradients of every parameter ('grad:<name>'), for one batch. */
export function gradProgram(c: LlamaConfig, T: FloatDT, loss: LossSpec, shape: Shape, withGrads = true): Uint8Array {
  const g = new Graph('grad'), b = new Builder(g, T);
  const P = addParams(g, c, T, '', withGrads);
  const mb = batchInputs(g, T, shape, loss.kind === 'dpo');
  const r = lossAndMetrics(b, c, loss, P, mb);
  g.output(r.metrics, 'metrics');
  if (withGrads) {
    const names = [...P.keys()];
    const grads = backward(b, r.loss, names.map((n) => P.get(n)!));
    grads.forEach((gr, i) => g.output(gr, 'grad:' + names[i]));
  }
  return g.toModel();
}

/** Summed response log-probs [R] of a model run forward only. */
export function refProgram(c: LlamaConfig, T: FloatDT, shape: Shape): Uint8Array {
  const g = new Graph('ref'), b = new Builder(g, T);
  b.tape = null;
  const P = addParams(g, c, T, '', false);
  const mb = batchInputs(g, T, shape, false);
  const logits = decoderLogits(b, c, P, mb.ids, mb.kbias);
  g.output(sequenceLogps(b, logits, mb.targets, mb.tmask).sums, 'sums');
  return g.toModel();
}

/** Greedy next token [R] (int64) at position last[r] of each row. */
export function nextTokenProgram(c: LlamaConfig, T: FloatDT, shape: Shape): Uint8Array {
  const g = new Graph('next'), b = new Builder(g, T);
  b.tape = null;
  const P = addParams(g, c, T, '', false);
  const ids = g.input('ids', 'int64', [shape.rows, shape.seqLen]);
  const kbias = g.input('kbias', T, [shape.rows, shape.seqLen]);
  const last = g.input('last', 'int64', [shape.rows]);
  const hidden = decoderHidden(b, c, P, ids, kbias);
  const rowsLogits = lmHead(b, c, P, b.emit('Gather', [hidden, last], [shape.rows, c.hidden_size], T, { axis: 0 }));
  const next = b.emit('ArgMax', [rowsLogits], [shape.rows], 'int64', { axis: 1, keepdims: 0 });
  g.output(next, 'next');
  return g.toModel();
}

/**
 * K AdamW steps in one run (K = the int64 input 'trips'), A micro-batches each. Inputs: 'p:<name>', 'm:<name>',
 * 'v:<name>', 'step0' (steps done before), 'lrs' [K], and the micro-batch tensors stacked on a leading K·A axis.
 * Outputs: 'p_out:<name>', 'm_out:<name>', 'v_out:<name>', 'metrics' [K, M + 1] (the last column is grad_norm).
 */
export function trainProgram(c: LlamaConfig, T: FloatDT, loss: LossSpec, optim: OptimSpec, A: number, shape: Shape): Uint8Array {
  const { rows: R, seqLen: S } = shape;
  const dpo = loss.kind === 'dpo';
  const M = metricNames(loss).length;
  const g = new Graph('train'), b0 = new Builder(g, T);
  const specs = paramSpecs(c), names = specs.map((s) => s.name);
  const P0 = addParams(g, c, T, 'p:', false), M0 = addParams(g, c, T, 'm:', false), V0 = addParams(g, c, T, 'v:', false);
  const step0 = g.input('step0', T, []);
  const lrs = g.input('lrs', T, undefined);
  const trips = g.input('trips', 'int64', []);
  const stacked = {
    ids: g.input('ids', 'int64', undefined), kbias: g.input('kbias', T, undefined), targets: g.input('targets', 'int64', undefined),
    tmask: g.input('tmask', T, undefined), lweight: g.input('lweight', T, undefined), refSums: dpo ? g.input('ref_sums', T, undefined) : undefined,
  };
  const pick = (b: Builder, idx: Value): MicroBatchValues => {
    const take = (v: Value, sh: number[]) => b.emit('Gather', [v, idx], sh, v.dtype, { axis: 0 }, [], undefined, false);
    return {
      ids: take(stacked.ids, [R, S]), kbias: take(stacked.kbias, [R, S]), targets: take(stacked.targets, [R, S]),
      tmask: take(stacked.tmask, [R, S]), lweight: take(stacked.lweight, [R, S]), refSums: stacked.refSums ? take(stacked.refSums, [R]) : undefined,
    };
  };

  // ---- the outer Loop body: one optimizer step
  const body = g.subgraph('step');
  const bb = b0.into(body);
  const i = body.input(g.fresh('i'), 'int64', []);
  const condIn = body.input(g.fresh('cond'), 'bool', []);
  const pIn = specs.map((s) => body.input(g.fresh('p'), T, s.shape, true));
  const mIn = specs.map((s) => body.input(g.fresh('m'), T, s.shape));
  const vIn = specs.map((s) => body.input(g.fresh('v'), T, s.shape));
  const P = new Map(names.map((n, k) => [n, pIn[k]]));
  let grads: Value[], metrics: Value;
  const microIndex = (bx: Builder, j: Value | null) => {
    const base = bx.emit('Mul', [i, bx.scalar(A, 'int64')], [], 'int64', {}, [], undefined, false);
    return j ? bx.emit('Add', [base, j], [], 'int64', {}, [], undefined, false) : base;
  };
  if (A === 1) {
    const r = lossAndMetrics(bb, c, loss, P, pick(bb, microIndex(bb, null)));
    grads = backward(bb, r.loss, pIn);
    metrics = r.metrics;
  } else {
    const inner = body.subgraph('micro');
    const ib = b0.into(inner);
    const j = inner.input(g.fresh('j'), 'int64', []);
    const icond = inner.input(g.fresh('cond'), 'bool', []);
    const gIn = specs.map((s) => inner.input(g.fresh('gacc'), T, s.shape));
    const mAccIn = inner.input(g.fresh('macc'), T, [M]);
    const r = lossAndMetrics(ib, c, loss, P, pick(ib, microIndex(ib, j)));
    const gr = backward(ib, r.loss, pIn);
    ib.tape = null;
    const inv = ib.scalar(1 / A);
    inner.output(ib.emit('Identity', [icond], [], 'bool', {}, [], undefined, false));
    gr.forEach((x, k) => inner.output(ib.add(gIn[k], ib.mul(x, inv))));
    inner.output(ib.add(mAccIn, ib.mul(r.metrics, inv)));
    const outs = [...specs.map(() => g.fresh('gsum')), g.fresh('msum')];
    bb.tape = null;
    const zeros = specs.map((s) => bb.zeros(s.shape));
    body.node('Loop', [bb.scalar(A, 'int64').name, '', ...zeros.map((z) => z.name), bb.zeros([M]).name], outs, { body: { graph: inner } });
    grads = specs.map((s, k) => ({ name: outs[k], shape: s.shape, dtype: T, rg: false }));
    metrics = { name: outs[specs.length], shape: [M], dtype: T, rg: false };
  }
  bb.tape = null;
  const norm = globalNorm(bb, grads);
  const clipped = clipGrads(bb, grads, norm, optim.maxGradNorm);
  const iT = bb.cast(i, T);
  const t = bb.add(bb.add(step0, iT), bb.scalar(1));
  const lr = bb.emit('Gather', [lrs, i], [], T, { axis: 0 }, [], undefined, false);
  const next = adamwStep(bb, optim, names, specs.map((_, k) => ({ p: pIn[k], m: mIn[k], v: vIn[k] })), clipped, lr, t);
  body.output(bb.emit('Identity', [condIn], [], 'bool', {}, [], undefined, false));
  next.forEach((s) => body.output(s.p));
  next.forEach((s) => body.output(s.m));
  next.forEach((s) => body.output(s.v));
  body.output(bb.concat([metrics, bb.reshape(norm, [1])], 0));

  // ---- the outer Loop
  const outNames = [...names.map((n) => 'p_out:' + n), ...names.map((n) => 'm_out:' + n), ...names.map((n) => 'v_out:' + n), 'metrics'];
  g.node('Loop', [trips.name, '', ...names.map((n) => P0.get(n)!.name), ...names.map((n) => M0.get(n)!.name), ...names.map((n) => V0.get(n)!.name)], outNames, { body: { graph: body } });
  for (const n of outNames.slice(0, -1)) {
    const spec = specs[names.indexOf(n.slice(n.indexOf(':') + 1))];
    g.output({ name: n, shape: spec.shape, dtype: T, rg: false });
  }
  g.output({ name: 'metrics', shape: [], dtype: T, rg: false }, undefined, false);
  return g.toModel();
}
