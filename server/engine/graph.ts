// The ONNX graph builder: unique value names, nodes, typed inputs/outputs, constants (kept as initializers of the
// root graph, visible from Loop bodies as outer-scope values) and subgraphs; `toModel` encodes opset 17 (+ the
// com.microsoft domain) for onnxruntime.
import { ElemType, encodeModel, type AttrValue, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-proto';

export type DT = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';
export type FloatDT = 'float32' | 'float64';

/** A value of the graph with its static shape. `rg` = requires gradient (depends on a parameter). */
export interface Value { name: string; shape: number[]; dtype: DT; rg: boolean }

export function elemType(dt: DT): ElemType {
  switch (dt) {
    case 'float32': return ElemType.FLOAT;
    case 'float64': return ElemType.DOUBLE;
    case 'int64': return ElemType.INT64;
    case 'int32': return ElemType.INT32;
    case 'bool': return ElemType.BOOL;
  }
}

export type Attrs = Record<string, number | number[] | string | { graph: Graph } | { floats: number[] } | { float: number } | { tensor: { dtype: DT; value: number } }>;

function toAttr(v: Attrs[string]): AttrValue {
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', v } : { kind: 'float', v };
  if (typeof v === 'string') return { kind: 'string', v };
  if (Array.isArray(v)) return { kind: 'ints', v };
  if ('graph' in v) return { kind: 'graph', v: v.graph.toProto() };
  if ('floats' in v) return { kind: 'floats', v: v.floats };
  if ('tensor' in v) return { kind: 'tensor', v: { name: '', dataType: elemType(v.tensor.dtype), dims: [1], raw: rawBytes(v.tensor.dtype, [v.tensor.value]) } };
  return { kind: 'float', v: v.float };
}

function rawBytes(dt: DT, values: ArrayLike<number>): Uint8Array {
  switch (dt) {
    case 'float32': return new Uint8Array(Float32Array.from(values).buffer);
    case 'float64': return new Uint8Array(Float64Array.from(values).buffer);
    case 'int64': return new Uint8Array(BigInt64Array.from(Array.from(values, (x) => BigInt(x))).buffer);
    case 'int32': return new Uint8Array(Int32Array.from(values).buffer);
    case 'bool': return Uint8Array.from(values, (x) => (x ? 1 : 0));
  }
}

export class Graph {
  readonly nodes: NodeProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly constCache = new Map<string, Value>();
  private counter = { n: 0 };
  readonly root: Graph;

  constructor(readonly name: string, parent?: Graph) {
    this.root = parent ? parent.root : this;
    if (parent) this.counter = parent.root.counter;
  }

  fresh(prefix: string): string { return `${prefix}_${this.counter.n++}`; }

  /** A graph (Loop body) sharing this graph's names and constants. */
  subgraph(name: string): Graph { return new Graph(name, this); }

  input(name: string, dtype: DT, shape: number[] | undefined, rg = false): Value {
    this.inputs.push({ name, elemType: elemType(dtype), shape });
    return { name, dtype, shape: shape ?? [], rg };
  }

  output(v: Value, name?: string, withShape = true): void {
    let n = v.name;
    if (name && name !== v.name) { this.node('Identity', [v.name], [name]); n = name; }
    this.outputs.push({ name: n, elemType: elemType(v.dtype), shape: withShape ? v.shape : undefined });
  }

  node(op: string, inputs: string[], outputs: string[], attrs: Attrs = {}, domain?: string): void {
    const a: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) a[k] = toAttr(v);
    this.nodes.push({ name: this.fresh(op), opType: op, domain, inputs, outputs, attrs: a });
  }

  /** A constant tensor (deduplicated), stored once in the root graph. */
  constant(dtype: DT, shape: number[], values: ArrayLike<number>): Value {
    const small = values.length <= 64;
    const key = small ? `${dtype}|${shape.join(',')}|${Array.from(values).join(',')}` : '';
    if (small && this.root.constCache.has(key)) return this.root.constCache.get(key)!;
    const name = this.fresh('const');
    this.root.initializers.push({ name, dataType: elemType(dtype), dims: shape, raw: rawBytes(dtype, values) });
    const v: Value = { name, dtype, shape, rg: false };
    if (small) this.root.constCache.set(key, v);
    return v;
  }

  toProto(): GraphProto {
    return { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }

  toModel(): Uint8Array {
    return encodeModel({
      irVersion: 8, producer: 'simpo-studio',
      opsets: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
      graph: this.toProto(),
    });
  }
}
