// The vector-Jacobian products, one small function per op type: given the tape entry (inputs, output,
// attributes) and the gradient of the output, each rule emits standard ONNX ops for the gradients of its
// inputs (null where an input needs none). Broadcasting is undone with ReduceSum (`unbroadcast`).
import type { Builder, TapeEntry } from './builder';
import type { Value } from './graph';

export type VjpRule = (b: Builder, e: TapeEntry, gy: Value) => (Value | null)[];

/** Sums a broadcast gradient back to `shape`. */
export function unbroadcast(b: Builder, g: Value, shape: number[]): Value {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => { if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i); });
  const s = axes.length ? b.sum(g, axes, true) : g;
  return b.reshape(s, shape);
}

function expand(b: Builder, x: Value, shape: number[]): Value {
  return b.emit('Expand', [x], shape, x.dtype, {}, [b.ints(shape).name]);
}

const swapLast = (r: number) => { const p = Array.from({ length: r }, (_, i) => i); [p[r - 2], p[r - 1]] = [p[r - 1], p[r - 2]]; return p; };

export const GRAD_RULES: Record<string, VjpRule> = {
  Identity: (_b, _e, gy) => [gy],
  Add: (b, { inputs: [x, y] }, gy) => [unbroadcast(b, gy, x.shape), unbroadcast(b, gy, y.shape)],
  Sub: (b, { inputs: [x, y] }, gy) => [unbroadcast(b, gy, x.shape), y.rg ? unbroadcast(b, b.neg(gy), y.shape) : null],
  Mul: (b, { inputs: [x, y] }, gy) => [x.rg ? unbroadcast(b, b.mul(gy, y), x.shape) : null, y.rg ? unbroadcast(b, b.mul(gy, x), y.shape) : null],
  Div: (b, { inputs: [x, y], output }, gy) => [
    x.rg ? unbroadcast(b, b.div(gy, y), x.shape) : null,
    y.rg ? unbroadcast(b, b.neg(b.div(b.mul(gy, output), y)), y.shape) : null,
  ],
  Neg: (b, _e, gy) => [b.neg(gy)],
  Exp: (b, { output }, gy) => [b.mul(gy, output)],
  Log: (b, { inputs: [x] }, gy) => [b.div(gy, x)],
  Sqrt: (b, { output }, gy) => [b.div(b.mul(gy, b.scalar(0.5)), output)],
  Reciprocal: (b, { output }, gy) => [b.neg(b.mul(gy, b.mul(output, output)))],
  Sigmoid: (b, { output }, gy) => [b.mul(gy, b.mul(output, b.sub(b.scalar(1), output)))],
  Relu: (b, { inputs: [x] }, gy) => [b.where(b.greater(x, b.scalar(0)), gy, b.scalar(0))],
  NegLogSigmoid: (b, { inputs: [z] }, gy) => [b.mul(gy, b.sub(b.sigmoid(z), b.scalar(1)))],
  SiLU: (b, { inputs: [x], attrs }, gy) => {
    const s: Value = attrs._sig;
    return [b.mul(gy, b.mul(s, b.add(b.scalar(1), b.mul(x, b.sub(b.scalar(1), s)))))];
  },
  RMSNorm: (b, { inputs: [x, w], attrs }, gy) => {
    const inv: Value = attrs._inv, xn: Value = attrs._xn;
    const dw = w.rg ? unbroadcast(b, b.mul(gy, xn), w.shape) : null;
    let dx: Value | null = null;
    if (x.rg) {
      const dxn = b.mul(gy, w);
      dx = b.mul(inv, b.sub(dxn, b.mul(xn, b.mean(b.mul(dxn, xn), [-1], true))));
    }
    return [dx, dw];
  },
  MatMul: (b, { inputs: [x, y] }, gy) => [
    x.rg ? unbroadcast(b, b.matmul(gy, b.transpose(y, swapLast(y.shape.length))), x.shape) : null,
    y.rg ? unbroadcast(b, b.matmul(b.transpose(x, swapLast(x.shape.length)), gy), y.shape) : null,
  ],
  Gemm: (b, { inputs: [A, B], attrs }, gy) => {
    const tA = attrs.transA, tB = attrs.transB;
    let dA: Value | null = null, dB: Value | null = null;
    if (!tA && !tB) { if (A.rg) dA = b.gemm(gy, B, 0, 1); if (B.rg) dB = b.gemm(A, gy, 1, 0); }
    else if (!tA && tB) { if (A.rg) dA = b.gemm(gy, B, 0, 0); if (B.rg) dB = b.gemm(gy, A, 1, 0); }
    else if (tA && !tB) { if (A.rg) dA = b.gemm(B, gy, 0, 1); if (B.rg) dB = b.gemm(A, gy, 0, 0); }
    else { if (A.rg) dA = b.gemm(B, gy, 1, 1); if (B.rg) dB = b.gemm(gy, A, 1, 1); }
    return [dA, dB];
  },
  Reshape: (b, { inputs: [x] }, gy) => [b.reshape(gy, x.shape)],
  Transpose: (b, { attrs }, gy) => {
    const perm: number[] = attrs.perm, inv = new Array(perm.length);
    perm.forEach((p, i) => { inv[p] = i; });
    return [b.transpose(gy, inv)];
  },
  Slice: (b, { inputs: [x], attrs }, gy) => [b.padAxis(gy, attrs._axis, attrs._start, x.shape[attrs._axis] - attrs._end)],
  Pad: () => { throw new Error('Pad has no gradient rule (it only appears in gradients)'); },
  Split: (b, { attrs }) => [b.concat(attrs._gys, attrs.axis)],
  Concat: (b, { inputs, attrs }, gy) => {
    let off = 0;
    return inputs.map((x) => { const s = b.slice(gy, attrs.axis, off, off + x.shape[attrs.axis]); off += x.shape[attrs.axis]; return s; });
  },
  ReduceSum: (b, { inputs: [x], attrs }, gy) => {
    const keep = x.shape.map((d, i) => (attrs._axes.includes(i) ? 1 : d));
    return [expand(b, b.reshape(gy, keep), x.shape)];
  },
  ReduceMean: (b, { inputs: [x], attrs }, gy) => {
    const keep = x.shape.map((d, i) => (attrs._axes.includes(i) ? 1 : d));
    const n = (attrs._axes as number[]).reduce((s, a) => s * x.shape[a], 1);
    return [expand(b, b.mul(b.reshape(gy, keep), b.scalar(1 / n)), x.shape)];
  },
  Softmax: (b, { output }, gy) => [b.mul(output, b.sub(gy, b.sum(b.mul(gy, output), [-1], true)))],
  TokenLogp: (b, { inputs: [logits], attrs }, gy) => {
    const p = b.exp(b.sub(logits, attrs._lse));
    return [b.emit('ScatterElements', [b.mul(p, b.neg(gy)), attrs._idx, gy], logits.shape, logits.dtype, { axis: 1, reduction: 'add' })];
  },
  LogSoftmax: (b, { output }, gy) => [b.sub(gy, b.mul(b.exp(output), b.sum(gy, [-1], true)))],
  Gather: (b, { inputs: [table, ids] }, gy) => {
    const idx = b.reshape(ids, [...ids.shape, 1]);
    const z = b.zeros(table.shape, table.dtype);
    return [b.emit('ScatterND', [z, idx, gy], table.shape, table.dtype, { reduction: 'add' }), null];
  },
  GatherElements: (b, { inputs: [x, idx], attrs }, gy) => {
    const z = b.zeros(x.shape, x.dtype);
    return [b.emit('ScatterElements', [z, idx, gy], x.shape, x.dtype, { axis: attrs.axis, reduction: 'add' }), null];
  },
  Where: (b, { inputs: [c, x, y] }, gy) => {
    const zero = b.scalar(0, gy.dtype);
    return [null, x.rg ? unbroadcast(b, b.where(c, gy, zero), x.shape) : null, y.rg ? unbroadcast(b, b.where(c, zero, gy), y.shape) : null];
  },
};
