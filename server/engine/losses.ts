// Per-sequence response log-probs and the losses with the SimPO reference semantics: SimPO (sigmoid or hinge,
// γ = β·gamma_beta_ratio, label smoothing, sft_weight), DPO (sigmoid, against reference log-prob sums fed in)
// and SFT cross-entropy. Metrics are emitted as one vector, named by `metricNames`.
import type { LossSpec } from './api';
import type { Builder } from './builder';
import type { Value } from './graph';

/** The metrics the loss graph emits, in order (each a mean over the micro-batch). */
export function metricNames(loss: LossSpec): string[] {
  if (loss.kind === 'sft') return ['loss'];
  const names = ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies',
    'logps/chosen', 'logps/rejected', 'logits/chosen', 'logits/rejected'];
  if (loss.kind === 'simpo' && loss.sftWeight > 0) names.push('sft_loss');
  return names;
}

export interface LossInputs {
  /** logits [R·S, V] */
  logits: Value;
  /** next-token targets [R, S] int64 (labels shifted by one; masked positions hold 0) */
  targets: Value;
  /** 1 where the target counts, else 0 [R, S] */
  tmask: Value;
  /** weights [R, S] whose dot product with the vocabulary-summed logits gives logits/chosen and logits/rejected
   *  (1 / (pairs · seqLen · V) on the batch's own positions, 0 on positions added by shape bucketing) */
  lweight: Value;
  /** DPO: the reference model's summed response log-probs [R] */
  refSums?: Value;
}

/** Summed response log-probs per row [R] (differentiable) and the response token counts [R] (constant). */
export function sequenceLogps(b: Builder, logits: Value, targets: Value, tmask: Value): { sums: Value; counts: Value } {
  const [R, S] = targets.shape, N = R * S;
  const tok = b.reshape(b.tokenLogp(logits, b.reshape(targets, [N, 1])), [R, S]);
  const sums = b.sum(b.mul(tok, tmask), [1]);
  const counts = b.sum(b.detach(tmask), [1]);
  return { sums, counts };
}

const maxOne = (b: Builder, x: Value) => b.emit('Max', [x, b.scalar(1)], x.shape, x.dtype, {}, [], undefined, false);

/** The scalar loss (differentiable) and the metric vector [M] (no gradient). */
export function buildLoss(b: Builder, spec: LossSpec, inp: LossInputs): { loss: Value; metrics: Value } {
  const { logits, targets, tmask } = inp;
  const R = targets.shape[0];
  const { sums, counts } = sequenceLogps(b, logits, targets, tmask);
  const one = (v: Value) => b.reshape(v, [1]);
  if (spec.kind === 'sft') {
    const loss = b.neg(b.div(b.sumAll(sums), maxOne(b, b.sumAll(counts))));
    return { loss, metrics: b.concat([one(b.detach(loss))], 0) };
  }
  const B = R / 2;
  let c: Value, r: Value, z: Value, rc: Value, rr: Value;
  const beta = b.scalar(spec.beta);
  if (spec.kind === 'simpo') {
    const avg = b.div(sums, maxOne(b, counts));
    c = b.slice(avg, 0, 0, B); r = b.slice(avg, 0, B, R);
    z = b.mul(beta, b.sub(b.sub(c, r), b.scalar(spec.gammaBetaRatio)));
    rc = b.mul(beta, b.detach(c)); rr = b.mul(beta, b.detach(r));
  } else {
    if (!inp.refSums) throw new Error('DPO needs the reference log-probs');
    c = b.slice(sums, 0, 0, B); r = b.slice(sums, 0, B, R);
    const refC = b.slice(inp.refSums, 0, 0, B), refR = b.slice(inp.refSums, 0, B, R);
    z = b.mul(beta, b.sub(b.sub(c, r), b.sub(refC, refR)));
    rc = b.mul(beta, b.detach(b.sub(c, refC))); rr = b.mul(beta, b.detach(b.sub(r, refR)));
  }
  let losses: Value;
  if (spec.kind === 'simpo' && spec.lossType === 'hinge') {
    losses = b.relu(b.sub(b.scalar(1), z));
  } else {
    const ls = spec.labelSmoothing;
    losses = b.negLogSigmoid(z);
    if (ls > 0) losses = b.add(b.mul(losses, b.scalar(1 - ls)), b.mul(b.negLogSigmoid(b.neg(z)), b.scalar(ls)));
  }
  let loss = b.meanAll(losses);
  let sft: Value | null = null;
  if (spec.kind === 'simpo' && spec.sftWeight > 0) {
    sft = b.neg(b.div(b.sumAll(b.slice(sums, 0, 0, B)), maxOne(b, b.sumAll(b.slice(counts, 0, 0, B)))));
    loss = b.add(loss, b.mul(b.scalar(spec.sftWeight), sft));
  }
  // metrics, detached
  const N = logits.shape[0];
  const lg = b.sum(b.reshape(b.mul(b.sum(b.detach(logits), [1]), b.reshape(inp.lweight, [N])), [2, N / 2]), [1]);
  const acc = b.meanAll(b.cast(b.greater(rc, rr), b.T));
  const parts = [one(b.detach(loss)), one(b.meanAll(rc)), one(b.meanAll(rr)), one(b.meanAll(b.sub(rc, rr))), one(acc),
    one(b.meanAll(b.detach(c))), one(b.meanAll(b.detach(r))), lg];
  if (sft) parts.push(one(b.detach(sft)));
  return { loss, metrics: b.concat(parts, 0) };
}
