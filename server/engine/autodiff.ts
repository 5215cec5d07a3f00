// Reverse-mode autodiff at graph-build time: walks the Builder's tape backwards from a scalar loss and emits,
// with the rules of grad-rules.ts, the gradient of the loss with respect to the requested values.
import type { Builder } from './builder';
import type { Value } from './graph';
import { GRAD_RULES } from './grad-rules';

/**
 * Emits d(loss)/d(wrt) for each value of `wrt` (zeros where the loss does not depend on it). `seed` is the
 * gradient of `loss` (default 1). The builder's tape is consumed and left empty.
 */
export function backward(b: Builder, loss: Value, wrt: Value[], seed?: Value): Value[] {
  const tape = b.tape;
  if (!tape) throw new Error('backward: the builder has no tape');
  b.tape = null;
  const grads = new Map<string, Value>();
  grads.set(loss.name, seed ?? b.scalar(1, loss.dtype));
  for (let i = tape.length - 1; i >= 0; i--) {
    const e = tape[i];
    let gy = grads.get(e.output.name);
    if (e.outputs) {
      const gys = e.outputs.map((o) => grads.get(o.name));
      if (gys.every((x) => !x)) continue;
      e.attrs._gys = gys.map((x, k) => x ?? b.zeros(e.outputs![k].shape, e.outputs![k].dtype));
      gy = e.attrs._gys[0];
    }
    if (!gy) continue;
    const rule = GRAD_RULES[e.op];
    if (!rule) throw new Error(`autodiff: no gradient rule for op ${e.op}`);
    const gx = rule(b, e, gy);
    e.inputs.forEach((x, j) => {
      const g = gx[j];
      if (!g || !x.rg) return;
      const prev = grads.get(x.name);
      grads.set(x.name, prev ? b.add(prev, g) : g);
    });
  }
  tape.length = 0;
  b.tape = tape;
  return wrt.map((w) => grads.get(w.name) ?? b.zeros(w.shape, w.dtype));
}
