// A minimal protobuf writer for the parts of onnx.proto the engine emits: ModelProto, GraphProto, NodeProto,
// TensorProto, ValueInfoProto, AttributeProto. onnxruntime-node's InferenceSession accepts the encoded bytes.

export const enum ElemType { FLOAT = 1, INT32 = 6, INT64 = 7, BOOL = 9, DOUBLE = 11 }

export interface TensorProto { name: string; dataType: ElemType; dims: number[]; raw: Uint8Array }
export interface ValueInfoProto { name: string; elemType: ElemType; shape?: number[] }
export type AttrValue =
  | { kind: 'int'; v: number }
  | { kind: 'float'; v: number }
  | { kind: 'ints'; v: number[] }
  | { kind: 'floats'; v: number[] }
  | { kind: 'string'; v: string }
  | { kind: 'tensor'; v: TensorProto }
  | { kind: 'graph'; v: GraphProto };
export interface NodeProto { name: string; opType: string; domain?: string; inputs: string[]; outputs: string[]; attrs: Record<string, AttrValue> }
export interface GraphProto { name: string; nodes: NodeProto[]; initializers: TensorProto[]; inputs: ValueInfoProto[]; outputs: ValueInfoProto[] }
export interface ModelProto { irVersion: number; opsets: { domain: string; version: number }[]; producer: string; graph: GraphProto }

/** Growable byte buffer with protobuf primitives. */
class Writer {
  private buf = new Uint8Array(1024);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) { this.buf[this.len++] = Number(x & 0x7fn) | 0x80; x >>= 7n; }
    this.buf[this.len++] = Number(x);
  }
  tag(field: number, wire: number): void { this.varint((field << 3) | wire); }
  bytes(field: number, b: Uint8Array): void { this.tag(field, 2); this.varint(b.length); this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; }
  string(field: number, s: string): void { this.bytes(field, new TextEncoder().encode(s)); }
  int(field: number, v: number): void { this.tag(field, 0); this.varint(v); }
  float(field: number, v: number): void { this.tag(field, 5); this.ensure(4); new DataView(this.buf.buffer).setFloat32(this.len, v, true); this.len += 4; }
  message(field: number, enc: (w: Writer) => void): void { const w = new Writer(); enc(w); this.bytes(field, w.finish()); }
  finish(): Uint8Array { return this.buf.subarray(0, this.len); }
}

function writeTensor(w: Writer, t: TensorProto): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

function writeValueInfo(w: Writer, v: ValueInfoProto): void {
  w.string(1, v.name);
  w.message(2, (tp) => tp.message(1, (tt) => {
    tt.int(1, v.elemType);
    if (v.shape) tt.message(2, (sh) => { for (const d of v.shape!) sh.message(1, (dim) => dim.int(1, d)); });
  }));
}

function writeAttr(w: Writer, name: string, a: AttrValue): void {
  w.string(1, name);
  switch (a.kind) {
    case 'int': w.int(3, a.v); w.int(20, 2); break;
    case 'float': w.float(2, a.v); w.int(20, 1); break;
    case 'string': w.string(4, a.v); w.int(20, 3); break;
    case 'tensor': w.message(5, (t) => writeTensor(t, a.v)); w.int(20, 4); break;
    case 'graph': w.message(6, (g) => writeGraph(g, a.v)); w.int(20, 5); break;
    case 'floats': for (const f of a.v) w.float(7, f); w.int(20, 6); break;
    case 'ints': for (const i of a.v) w.int(8, i); w.int(20, 7); break;
  }
}

function writeNode(w: Writer, n: NodeProto): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs)) w.message(5, (aw) => writeAttr(aw, k, a));
  if (n.domain) w.string(7, n.domain);
}

function writeGraph(w: Writer, g: GraphProto): void {
  for (const n of g.nodes) w.message(1, (nw) => writeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => writeTensor(tw, t));
  for (const v of g.inputs) w.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => writeValueInfo(vw, v));
}

/** Encodes a ModelProto to bytes. */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new Writer();
  w.int(1, m.irVersion);
  w.string(2, m.producer);
  w.message(7, (gw) => writeGraph(gw, m.graph));
  for (const o of m.opsets) w.message(8, (ow) => { if (o.domain) ow.string(1, o.domain); ow.int(2, o.version); });
  return w.finish();
}
