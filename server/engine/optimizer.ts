// AdamW as torch.optim.AdamW (decoupled weight decay p ← p·(1 − lr·wd), bias-corrected moments) and global-norm
// gradient clipping as torch.nn.utils.clip_grad_norm_ (coefficient max_norm / (norm + 1e-6), at most 1), as
// graph ops. Biases and norm weights are not decayed, as the Hugging Face Trainer does.
import type { OptimSpec } from './api';
import type { Builder } from './builder';
import type { Value } from './graph';

export function decays(name: string): boolean { return !(name.endsWith('.bias') || name.endsWith('norm.weight')); }

/** The global L2 norm of the gradients (scalar). */
export function globalNorm(b: Builder, grads: Value[]): Value {
  let total: Value | null = null;
  for (const g of grads) { const s = b.sumAll(b.mul(g, g)); total = total ? b.add(total, s) : s; }
  return b.sqrt(total!);
}

/** Scales the gradients so their global norm is at most maxNorm (no-op when maxNorm <= 0). */
export function clipGrads(b: Builder, grads: Value[], norm: Value, maxNorm: number): Value[] {
  if (!(maxNorm > 0)) return grads;
  const coef = b.div(b.scalar(maxNorm), b.add(norm, b.scalar(1e-6)));
  const clamped = b.emit('Min', [coef, b.scalar(1)], [], b.T, {}, [], undefined, false);
  return grads.map((g) => b.mul(g, clamped));
}

export interface AdamState { p: Value; m: Value; v: Value }

/** One AdamW step for every parameter; `t` is the 1-based step number and `lr` the learning rate (scalars). */
export function adamwStep(b: Builder, o: OptimSpec, names: string[], state: AdamState[], grads: Value[], lr: Value, t: Value): AdamState[] {
  const one = b.scalar(1);
  const bc1 = b.sub(one, b.pow(b.scalar(o.beta1), t));
  const bc2sqrt = b.sqrt(b.sub(one, b.pow(b.scalar(o.beta2), t)));
  const stepSize = b.div(lr, bc1);
  const decayMul = b.sub(one, b.mul(lr, b.scalar(o.weightDecay)));
  const b1 = b.scalar(o.beta1), nb1 = b.scalar(1 - o.beta1), b2 = b.scalar(o.beta2), nb2 = b.scalar(1 - o.beta2), eps = b.scalar(o.epsilon);
  return state.map(({ p, m, v }, i) => {
    const g = grads[i];
    const p1 = o.weightDecay !== 0 && decays(names[i]) ? b.mul(p, decayMul) : p;
    const m1 = b.add(b.mul(m, b1), b.mul(g, nb1));
    const v1 = b.add(b.mul(v, b2), b.mul(b.mul(g, g), nb2));
    const denom = b.add(b.div(b.sqrt(v1), bc2sqrt), eps);
    const p2 = b.sub(p1, b.mul(stepSize, b.div(m1, denom)));
    return { p: p2, m: m1, v: v1 };
  });
}
