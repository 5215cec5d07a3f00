// Tensor operations on top of Graph with static shape inference and a gradient tape: every op whose inputs
// require a gradient is recorded (op type, inputs, output, attributes) so autodiff.ts can emit its
// vector-Jacobian product (grad-rules.ts). The float dtype is a parameter: float64 for gradient checks,
// float32 for training.
import { Graph, type DT, type FloatDT, type Value } from './graph';

export interface TapeEntry {
  op: string; inputs: Value[]; output: Value; attrs: Record<string, any>;
  /** ops with several outputs (Split): all of them; the rule gets `attrs._gys`, zeros filled in where unused */
  outputs?: Value[];
}

export function broadcastShapes(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast shapes [${a}] and [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

export class Builder {
  /** the recorded ops; null while emitting gradients (no second order) */
  tape: TapeEntry[] | null = [];

  constructor(readonly g: Graph, readonly T: FloatDT) {}

  /** The same tape and dtype, emitting into another graph (a Loop body). */
  into(g: Graph): Builder { const b = new Builder(g, this.T); b.tape = this.tape; return b; }

  emit(op: string, inputs: Value[], shape: number[], dtype: DT, attrs: Record<string, any> = {}, extraInputs: string[] = [], domain?: string, record = true): Value {
    const out: Value = { name: this.g.fresh(op.toLowerCase()), shape, dtype, rg: record && inputs.some((v) => v.rg) };
    const nodeAttrs: Record<string, any> = {};
    for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('_')) nodeAttrs[k] = v;
    this.g.node(op, [...inputs.map((v) => v.name), ...extraInputs], [out.name], nodeAttrs, domain);
    if (out.rg && this.tape) this.tape.push({ op, inputs, output: out, attrs });
    if (!this.tape) out.rg = false;
    return out;
  }

  // ---- constants
  scalar(v: number, dtype: DT = this.T): Value { return this.g.constant(dtype, [], [v]); }
  const(dtype: DT, shape: number[], values: ArrayLike<number>): Value { return this.g.constant(dtype, shape, values); }
  ints(values: number[]): Value { return this.g.constant('int64', [values.length], values); }
  zeros(shape: number[], dtype: DT = this.T): Value {
    return this.emit('ConstantOfShape', [this.ints(shape)], shape, dtype, { value: { tensor: { dtype, value: 0 } } }, [], undefined, false);
  }

  // ---- elementwise
  private binary(op: string, a: Value, b: Value): Value { return this.emit(op, [a, b], broadcastShapes(a.shape, b.shape), a.dtype); }
  add(a: Value, b: Value): Value { return this.binary('Add', a, b); }
  sub(a: Value, b: Value): Value { return this.binary('Sub', a, b); }
  mul(a: Value, b: Value): Value { return this.binary('Mul', a, b); }
  div(a: Value, b: Value): Value { return this.binary('Div', a, b); }
  private unary(op: string, x: Value): Value { return this.emit(op, [x], x.shape, x.dtype); }
  neg(x: Value): Value { return this.unary('Neg', x); }
  exp(x: Value): Value { return this.unary('Exp', x); }
  log(x: Value): Value { return this.unary('Log', x); }
  sqrt(x: Value): Value { return this.unary('Sqrt', x); }
  sigmoid(x: Value): Value { return this.unary('Sigmoid', x); }
  relu(x: Value): Value { return this.unary('Relu', x); }
  abs(x: Value): Value { return this.unary('Abs', x); }
  /** x with no gradient flowing back (an Identity that the tape ignores) */
  detach(x: Value): Value { return this.emit('Identity', [x], x.shape, x.dtype, {}, [], undefined, false); }
  cast(x: Value, to: DT): Value {
    const codes: Record<DT, number> = { float32: 1, float64: 11, int64: 7, int32: 6, bool: 9 };
    return this.emit('Cast', [x], x.shape, to, { to: codes[to] }, [], undefined, false);
  }
  greater(a: Value, b: Value): Value { return this.emit('Greater', [a, b], broadcastShapes(a.shape, b.shape), 'bool', {}, [], undefined, false); }
  where(c: Value, a: Value, b: Value): Value {
    return this.emit('Where', [c, a, b], broadcastShapes(c.shape, broadcastShapes(a.shape, b.shape)), a.dtype, { _noGradCond: true });
  }
  pow(x: Value, e: Value): Value { return this.emit('Pow', [x, e], broadcastShapes(x.shape, e.shape), x.dtype, {}, [], undefined, false); }

  // ---- linear algebra
  matmul(a: Value, b: Value): Value {
    if (a.shape.length < 2 || b.shape.length < 2) throw new Error('matmul needs rank >= 2');
    const [m, k] = a.shape.slice(-2), [k2, n] = b.shape.slice(-2);
    if (k !== k2) throw new Error(`matmul: inner dims ${k} and ${k2} differ ([${a.shape}] @ [${b.shape}])`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.emit('MatMul', [a, b], [...batch, m, n], a.dtype);
  }
  /** 2-D Gemm: op(a) @ op(b) */
  gemm(a: Value, b: Value, transA = 0, transB = 0): Value {
    const [m, k] = transA ? [a.shape[1], a.shape[0]] : a.shape;
    const [k2, n] = transB ? [b.shape[1], b.shape[0]] : b.shape;
    if (k !== k2) throw new Error(`gemm: inner dims ${k} and ${k2} differ`);
    return this.emit('Gemm', [a, b], [m, n], a.dtype, { transA, transB });
  }

  // ---- shape
  reshape(x: Value, shape: number[]): Value {
    if (size(shape) !== size(x.shape)) throw new Error(`reshape [${x.shape}] to [${shape}]`);
    return this.emit('Reshape', [x], shape, x.dtype, {}, [this.ints(shape).name]);
  }
  transpose(x: Value, perm: number[]): Value { return this.emit('Transpose', [x], perm.map((p) => x.shape[p]), x.dtype, { perm }); }
  slice(x: Value, axis: number, start: number, end: number): Value {
    const shape = x.shape.slice(); shape[axis] = end - start;
    return this.emit('Slice', [x], shape, x.dtype, { _axis: axis, _start: start, _end: end }, [this.ints([start]).name, this.ints([end]).name, this.ints([axis]).name]);
  }
  /** Split along `axis` into parts of the given sizes (one node; its gradient is one Concat). */
  split(x: Value, axis: number, sizes: number[]): Value[] {
    const outs: Value[] = sizes.map((d) => { const shape = x.shape.slice(); shape[axis] = d; return { name: this.g.fresh('split'), shape, dtype: x.dtype, rg: x.rg && !!this.tape }; });
    this.g.node('Split', [x.name, this.ints(sizes).name], outs.map((o) => o.name), { axis });
    if (x.rg && this.tape) this.tape.push({ op: 'Split', inputs: [x], output: outs[0], outputs: outs, attrs: { axis } });
    return outs;
  }
  concat(xs: Value[], axis: number): Value {
    const shape = xs[0].shape.slice(); shape[axis] = xs.reduce((s, v) => s + v.shape[axis], 0);
    return this.emit('Concat', xs, shape, xs[0].dtype, { axis });
  }
  /** Pad zeros along one axis (before, after). */
  padAxis(x: Value, axis: number, before: number, after: number): Value {
    const r = x.shape.length, pads = new Array(2 * r).fill(0);
    pads[axis] = before; pads[r + axis] = after;
    const shape = x.shape.slice(); shape[axis] += before + after;
    return this.emit('Pad', [x], shape, x.dtype, {}, [this.ints(pads).name]);
  }

  // ---- reductions
  private reduce(op: string, x: Value, axes: number[], keepdims: boolean, record = true): Value {
    const ax = axes.map((a) => (a < 0 ? a + x.shape.length : a));
    const shape = keepdims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
    const extra = op === 'ReduceSum' ? [this.ints(ax).name] : [];
    const attrs: Record<string, any> = { keepdims: keepdims ? 1 : 0, _axes: ax };
    if (op !== 'ReduceSum') attrs.axes = ax;
    return this.emit(op, [x], shape, x.dtype, attrs, extra, undefined, record);
  }
  sum(x: Value, axes: number[], keepdims = false): Value { return this.reduce('ReduceSum', x, axes, keepdims); }
  mean(x: Value, axes: number[], keepdims = false): Value { return this.reduce('ReduceMean', x, axes, keepdims); }
  /** max without gradient (used for numerical stabilisation only) */
  maxNoGrad(x: Value, axes: number[], keepdims = false): Value { return this.reduce('ReduceMax', x, axes, keepdims, false); }
  sumAll(x: Value): Value { return this.sum(x, x.shape.map((_, i) => i)); }
  meanAll(x: Value): Value { return this.mean(x, x.shape.map((_, i) => i)); }

  softmax(x: Value): Value { return this.emit('Softmax', [x], x.shape, x.dtype, { axis: -1 }); }
  /** log-softmax over the last axis, numerically stable */
  logSoftmax(x: Value): Value { return this.emit('LogSoftmax', [x], x.shape, x.dtype, { axis: -1 }); }

  // ---- indexing
  /** rows of `table` ([V, H]) at int64 `ids` */
  gather(table: Value, ids: Value): Value { return this.emit('Gather', [table, ids], [...ids.shape, ...table.shape.slice(1)], table.dtype, { axis: 0 }); }
  gatherElements(x: Value, idx: Value, axis: number): Value { return this.emit('GatherElements', [x, idx], idx.shape, x.dtype, { axis }); }

  /**
   * log softmax(logits)[idx] per row without materialising the log-softmax: GatherElements(logits) − LogSumExp.
   * logits [N, V], idx [N, 1] int64 → [N, 1]. Its VJP is one scatter: (onehot − softmax) · g.
   */
  tokenLogp(logits: Value, idx: Value): Value {
    const saved = this.tape; this.tape = null;
    const lse = this.emit('ReduceLogSumExp', [logits], [logits.shape[0], 1], logits.dtype, { axes: [1], keepdims: 1 });
    const out = this.sub(this.gatherElements(logits, idx, 1), lse);
    this.tape = saved;
    out.rg = logits.rg && !!saved;
    if (out.rg && saved) saved.push({ op: 'TokenLogp', inputs: [logits], output: out, attrs: { _idx: idx, _lse: lse } });
    return out;
  }

  /** −log σ(z) = max(−z, 0) + log(1 + exp(−|z|)), stable in float32 and float64 (gradient σ(z) − 1) */
  negLogSigmoid(z: Value): Value {
    const saved = this.tape; this.tape = null;
    const a = this.relu(this.neg(z));
    const b = this.log(this.add(this.scalar(1), this.exp(this.neg(this.abs(z)))));
    const out = this.add(a, b);
    this.tape = saved;
    out.rg = z.rg && !!saved;
    if (out.rg && saved) saved.push({ op: 'NegLogSigmoid', inputs: [z], output: out, attrs: {} });
    return out;
  }

  /** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) · w (HF LlamaRMSNorm) */
  rmsNorm(x: Value, w: Value, eps: number): Value {
    const saved = this.tape; this.tape = null;
    const ms = this.mean(this.mul(x, x), [-1], true);
    const inv = this.emit('Reciprocal', [this.sqrt(this.add(ms, this.scalar(eps)))], ms.shape, x.dtype);
    const xn = this.mul(x, inv);
    const out = this.mul(xn, w);
    this.tape = saved;
    out.rg = (x.rg || w.rg) && !!saved;
    if (out.rg && saved) saved.push({ op: 'RMSNorm', inputs: [x, w], output: out, attrs: { _inv: inv, _xn: xn } });
    return out;
  }

  /** SiLU(x) = x·σ(x) */
  silu(x: Value): Value {
    const saved = this.tape; this.tape = null;
    const s = this.sigmoid(x);
    const out = this.mul(x, s);
    this.tape = saved;
    out.rg = x.rg && !!saved;
    if (out.rg && saved) saved.push({ op: 'SiLU', inputs: [x], output: out, attrs: { _sig: s } });
    return out;
  }

  reciprocal(x: Value): Value { return this.emit('Reciprocal', [x], x.shape, x.dtype); }
}

