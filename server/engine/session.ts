// TrainSession on onnxruntime-node: parameters and Adam moments live in JS typed arrays between calls (fed to
// ORT without copying); programs (programs.ts) are built and opened once per batch shape and cached.
// train() runs consecutive steps of one shape in one session.run (ONNX Loop).
import * as ort from 'onnxruntime-node';
import type { Batch, LlamaConfig, OptimizerState, Provider, StepMetrics, TrainSession, TrainSessionOptions, WeightMap } from './api';
import type { FloatDT } from './graph';
import { metricNames } from './losses';
import { checkConfig, keyBias, paramSpecs } from './model';
import { gradProgram, nextTokenProgram, refProgram, trainProgram, type Shape } from './programs';
import { checkProvider, openSession, probeProvider } from './providers';

type FArr = Float32Array | Float64Array;

export interface EngineOptions extends TrainSessionOptions {
  /** float32 (default) trains; float64 is for gradient and equivalence checks */
  dtype?: FloatDT;
}

/** The graph-side tensors of one micro-batch (labels shifted by one, key-padding bias built). */
export interface PreparedBatch { shape: Shape; ids: BigInt64Array; kbias: FArr; targets: BigInt64Array; tmask: FArr; lweight: FArr }

/**
 * The sequence length a batch is padded to (padding never counts): itself up to 16, then multiples of 16 up to
 * 128, then steps of 1/8 of the enclosing power of two (160, 192, 224, 256, 320, ...): few distinct graph
 * shapes (16 up to 512) for at most ~12% extra positions.
 */
export function bucketed(seqLen: number): number {
  if (seqLen <= 16) return seqLen;
  const step = Math.max(16, 2 ** (Math.ceil(Math.log2(seqLen)) - 3));
  return Math.ceil(seqLen / step) * step;
}

/** At most this many ONNX sessions stay open (least recently used ones are released). */
export const MAX_SESSIONS = 8;

export function checkBatch(b: Batch, what = 'batch'): void {
  const n = b.rows * b.seqLen;
  for (const k of ['inputIds', 'attentionMask', 'labels'] as const) {
    if (b[k].length !== n) throw new Error(`${what}.${k} has ${b[k].length} entries, expected rows × seqLen = ${b.rows} × ${b.seqLen} = ${n}`);
  }
}

/**
 * The graph-side tensors of a batch: ids, the key-padding bias, next-token targets (labels shifted by one, -100
 * masked), their mask and the logits-metric weights; the sequence is padded to `seqLen` (>= the batch's own).
 */
export function prepareBatch(b: Batch, T: FloatDT, vocab: number, seqLen = b.seqLen): PreparedBatch {
  checkBatch(b);
  const { rows: R, seqLen: S0 } = b, S = seqLen, n = R * S;
  const ids = new BigInt64Array(n), targets = new BigInt64Array(n), mask = new Int32Array(n);
  const F = T === 'float32' ? Float32Array : Float64Array;
  const tmask = new F(n), lweight = new F(n);
  const lw = 1 / ((R / 2) * S0 * vocab);
  for (let r = 0; r < R; r++) for (let t = 0; t < S0; t++) {
    const i = r * S0 + t, o = r * S + t;
    const id = b.inputIds[i];
    if (id < 0 || id >= vocab) throw new Error(`token id ${id} at row ${r}, position ${t} is outside the vocabulary (size ${vocab})`);
    ids[o] = BigInt(id);
    mask[o] = b.attentionMask[i];
    lweight[o] = lw;
    const label = t + 1 < S0 ? b.labels[i + 1] : -100;
    if (label !== -100) {
      if (label < 0 || label >= vocab) throw new Error(`label ${label} at row ${r}, position ${t + 1} is outside the vocabulary (size ${vocab})`);
      targets[o] = BigInt(label); tmask[o] = 1;
    }
  }
  return { shape: { rows: R, seqLen: S }, ids, kbias: keyBias(mask, T), targets, tmask, lweight };
}

function concat<A extends FArr | BigInt64Array>(parts: A[]): A {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new (parts[0].constructor as any)(n) as A;
  let off = 0;
  for (const p of parts) { (out as any).set(p, off); off += p.length; }
  return out;
}

class Engine implements TrainSession {
  private readonly T: FloatDT;
  private readonly tname: 'float32' | 'float64';
  private readonly names: string[];
  private readonly shapes: Map<string, number[]>;
  private params = new Map<string, FArr>();
  private refParams: Map<string, FArr> | null = null;
  private m = new Map<string, FArr>();
  private v = new Map<string, FArr>();
  private step = 0;
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly provider: Provider;

  constructor(private readonly o: EngineOptions) {
    checkConfig(o.config);
    this.T = o.dtype ?? 'float32';
    this.tname = this.T;
    this.provider = o.provider ?? 'cpu';
    checkProvider(this.provider);
    if (o.gradientAccumulationSteps < 1 || !Number.isInteger(o.gradientAccumulationSteps)) throw new Error(`gradientAccumulationSteps must be a positive integer, got ${o.gradientAccumulationSteps}`);
    const specs = paramSpecs(o.config);
    this.names = specs.map((s) => s.name);
    this.shapes = new Map(specs.map((s) => [s.name, s.shape]));
    this.params = this.load(o.weights, 'weights');
    if (o.loss.kind === 'dpo') this.refParams = this.load(o.refWeights ?? o.weights, 'refWeights');
    for (const n of this.names) { this.m.set(n, this.alloc(n)); this.v.set(n, this.alloc(n)); }
  }

  private alloc(n: string): FArr { const k = this.shapes.get(n)!.reduce((a, b) => a * b, 1); return this.T === 'float32' ? new Float32Array(k) : new Float64Array(k); }

  private load(w: WeightMap, what: string): Map<string, FArr> {
    const out = new Map<string, FArr>();
    for (const n of this.names) {
      const t = w.get(n), shape = this.shapes.get(n)!;
      if (!t) throw new Error(`${what}: missing tensor ${n} (expected shape [${shape}])`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new Error(`${what}: tensor ${n} has shape [${t.shape}], expected [${shape}]`);
      out.set(n, this.T === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data));
    }
    return out;
  }

  private session(key: string, build: () => Uint8Array): Promise<ort.InferenceSession> {
    let s = this.sessions.get(key);
    if (s) { this.sessions.delete(key); this.sessions.set(key, s); return s; } // most recently used last
    s = openSession(build(), this.provider, this.o.threads, this.T === 'float64');
    this.sessions.set(key, s);
    while (this.sessions.size > MAX_SESSIONS) {
      const [oldKey, old] = this.sessions.entries().next().value as [string, Promise<ort.InferenceSession>];
      this.sessions.delete(oldKey);
      old.then((x) => x.release()).catch(() => { /* it never opened */ });
    }
    return s;
  }

  /** The keys of the open sessions, least recently used first (for tests). */
  openSessions(): string[] { return [...this.sessions.keys()]; }

  private tensor(data: FArr, dims: number[]): ort.Tensor { return new ort.Tensor(this.tname, data, dims); }

  private feedParams(feeds: Record<string, ort.Tensor>, prefix: string, src: Map<string, FArr>): void {
    for (const n of this.names) feeds[prefix + n] = this.tensor(src.get(n)!, this.shapes.get(n)!);
  }

  private batchFeeds(feeds: Record<string, ort.Tensor>, pbs: PreparedBatch[], stacked: boolean): void {
    const { rows: R, seqLen: S } = pbs[0].shape;
    const lead = stacked ? [pbs.length] : [];
    feeds.ids = new ort.Tensor('int64', concat(pbs.map((p) => p.ids)), [...lead, R, S]);
    feeds.kbias = this.tensor(concat(pbs.map((p) => p.kbias)), [...lead, R, S]);
    feeds.targets = new ort.Tensor('int64', concat(pbs.map((p) => p.targets)), [...lead, R, S]);
    feeds.tmask = this.tensor(concat(pbs.map((p) => p.tmask)), [...lead, R, S]);
    feeds.lweight = this.tensor(concat(pbs.map((p) => p.lweight)), [...lead, R, S]);
  }

  private async refSums(pb: PreparedBatch): Promise<FArr> {
    const { rows, seqLen } = pb.shape;
    const s = await this.session(`ref:${rows}x${seqLen}`, () => refProgram(this.o.config, this.T, pb.shape));
    const feeds: Record<string, ort.Tensor> = {};
    this.feedParams(feeds, '', this.refParams!);
    this.batchFeeds(feeds, [pb], false);
    const r = await s.run(feeds);
    return r.sums.data as FArr;
  }

  private toMetrics(vals: ArrayLike<number>, withNorm: boolean): StepMetrics {
    const names = metricNames(this.o.loss);
    const m: Record<string, number> = {};
    names.forEach((n, i) => { m[n] = Number(vals[i]); });
    if (withNorm) m.grad_norm = Number(vals[names.length]);
    return m as unknown as StepMetrics;
  }

  private prepare(b: Batch, seqLen = bucketed(b.seqLen)): PreparedBatch {
    if (this.o.loss.kind !== 'sft' && b.rows % 2) throw new Error(`a preference batch needs an even number of rows (chosen then rejected), got ${b.rows}`);
    return prepareBatch(b, this.T, this.o.config.vocab_size, seqLen);
  }

  async train(microBatches: Batch[], lrs: number[]): Promise<StepMetrics[]> {
    const A = this.o.gradientAccumulationSteps;
    if (microBatches.length !== lrs.length * A) throw new Error(`train: ${microBatches.length} micro-batches for ${lrs.length} steps × gradientAccumulationSteps ${A} (expected ${lrs.length * A})`);
    // the micro-batches of one step run in one graph: pad them to the step's longest (padding never counts)
    const prepared: PreparedBatch[] = [];
    for (let st = 0; st < lrs.length; st++) {
      const mbs = microBatches.slice(st * A, (st + 1) * A);
      const rows = mbs[0].rows;
      mbs.forEach((b, j) => {
        if (b.rows !== rows) throw new Error(`train: the micro-batches of one optimizer step must have the same number of rows (step ${st}: micro-batch ${j} has ${b.rows}, micro-batch 0 has ${rows})`);
      });
      const S = Math.max(...mbs.map((b) => bucketed(b.seqLen)));
      for (const b of mbs) prepared.push(this.prepare(b, S));
    }
    const out: StepMetrics[] = [];
    let s = 0;
    while (s < lrs.length) {
      // consecutive steps of one shape run in one Loop
      const key = (k: number) => `${prepared[k].shape.rows}x${prepared[k].shape.seqLen}`;
      const k0 = key(s * A);
      let e = s + 1;
      while (e < lrs.length && key(e * A) === k0) e++;
      out.push(...await this.runSteps(prepared.slice(s * A, e * A), lrs.slice(s, e)));
      s = e;
    }
    return out;
  }

  private async runSteps(pbs: PreparedBatch[], lrs: number[]): Promise<StepMetrics[]> {
    const A = this.o.gradientAccumulationSteps, K = lrs.length;
    const shape = pbs[0].shape;
    const sess = await this.session(`train:${shape.rows}x${shape.seqLen}`, () => trainProgram(this.o.config, this.T, this.o.loss, this.o.optim, A, shape));
    const feeds: Record<string, ort.Tensor> = {};
    this.feedParams(feeds, 'p:', this.params);
    this.feedParams(feeds, 'm:', this.m);
    this.feedParams(feeds, 'v:', this.v);
    feeds.step0 = this.tensor(this.T === 'float32' ? Float32Array.of(this.step) : Float64Array.of(this.step), []);
    feeds.lrs = this.tensor(this.T === 'float32' ? Float32Array.from(lrs) : Float64Array.from(lrs), [K]);
    feeds.trips = new ort.Tensor('int64', BigInt64Array.of(BigInt(K)), []);
    this.batchFeeds(feeds, pbs, true);
    if (this.o.loss.kind === 'dpo') {
      const refs: FArr[] = [];
      for (const pb of pbs) refs.push(await this.refSums(pb));
      feeds.ref_sums = this.tensor(concat(refs), [pbs.length, shape.rows]);
    }
    const r = await sess.run(feeds);
    for (const n of this.names) {
      this.params.set(n, r['p_out:' + n].data as FArr);
      this.m.set(n, r['m_out:' + n].data as FArr);
      this.v.set(n, r['v_out:' + n].data as FArr);
    }
    this.step += K;
    const mv = r.metrics.data as FArr, width = mv.length / K;
    return lrs.map((lr, k) => ({ ...this.toMetrics(mv.subarray(k * width, (k + 1) * width), true), learning_rate: lr }));
  }

  /** Loss, metrics and the gradient of every parameter for one batch (no update). */
  async lossAndGrads(batch: Batch): Promise<{ metrics: StepMetrics; grads: Map<string, FArr> }> {
    const pb = this.prepare(batch);
    const sess = await this.session(`grad:${pb.shape.rows}x${pb.shape.seqLen}`, () => gradProgram(this.o.config, this.T, this.o.loss, pb.shape, true));
    const r = await sess.run(await this.evalFeeds(pb));
    return { metrics: this.toMetrics(r.metrics.data as FArr, false), grads: new Map(this.names.map((n) => [n, r['grad:' + n].data as FArr])) };
  }

  private async evalFeeds(pb: PreparedBatch): Promise<Record<string, ort.Tensor>> {
    const feeds: Record<string, ort.Tensor> = {};
    this.feedParams(feeds, '', this.params);
    this.batchFeeds(feeds, [pb], false);
    if (this.o.loss.kind === 'dpo') feeds.ref_sums = this.tensor(await this.refSums(pb), [pb.shape.rows]);
    return feeds;
  }

  async evaluate(batch: Batch): Promise<StepMetrics> {
    const pb = this.prepare(batch);
    const sess = await this.session(`eval:${pb.shape.rows}x${pb.shape.seqLen}`, () => gradProgram(this.o.config, this.T, this.o.loss, pb.shape, false));
    const r = await sess.run(await this.evalFeeds(pb));
    return this.toMetrics(r.metrics.data as FArr, false);
  }

  async generate(prompts: number[][], maxNewTokens: number, eosIds: number[]): Promise<number[][]> {
    if (prompts.length === 0 || maxNewTokens <= 0) return prompts.map(() => []);
    const V = this.o.config.vocab_size;
    const R = prompts.length, S = bucketed(Math.max(...prompts.map((p) => p.length)) + maxNewTokens);
    prompts.forEach((p, r) => { if (p.length === 0) throw new Error(`generate: prompt ${r} is empty`); p.forEach((t, i) => { if (t < 0 || t >= V) throw new Error(`generate: prompt ${r} token ${i} = ${t} is outside the vocabulary (size ${V})`); }); });
    const shape = { rows: R, seqLen: S };
    const sess = await this.session(`next:${R}x${S}`, () => nextTokenProgram(this.o.config, this.T, shape));
    // right padding in a fixed buffer: causal attention makes the padding after each row's end irrelevant
    const seqs = prompts.map((p) => p.slice());
    const out: number[][] = prompts.map(() => []);
    const done = prompts.map(() => false);
    const eos = new Set(eosIds);
    const ids = new BigInt64Array(R * S), mask = new Int32Array(R * S);
    for (let step = 0; step < maxNewTokens && done.some((d) => !d); step++) {
      const last = new BigInt64Array(R);
      seqs.forEach((sq, r) => {
        sq.forEach((t, i) => { ids[r * S + i] = BigInt(t); mask[r * S + i] = 1; });
        last[r] = BigInt(r * S + sq.length - 1);
      });
      const feeds: Record<string, ort.Tensor> = {};
      this.feedParams(feeds, '', this.params);
      feeds.ids = new ort.Tensor('int64', ids, [R, S]);
      feeds.kbias = this.tensor(keyBias(mask, this.T), [R, S]);
      feeds.last = new ort.Tensor('int64', last, [R]);
      const next = (await sess.run(feeds)).next.data as BigInt64Array;
      seqs.forEach((sq, r) => {
        if (done[r]) return;
        const t = Number(next[r]);
        out[r].push(t); sq.push(t);
        if (eos.has(t)) done[r] = true;
      });
    }
    return out;
  }

  weights(): WeightMap {
    return new Map(this.names.map((n) => [n, { shape: this.shapes.get(n)!.slice(), data: Float32Array.from(this.params.get(n)!) }]));
  }

  optimizerState(): OptimizerState {
    const copy = (src: Map<string, FArr>): WeightMap => new Map(this.names.map((n) => [n, { shape: this.shapes.get(n)!.slice(), data: Float32Array.from(src.get(n)!) }]));
    return { step: this.step, m: copy(this.m), v: copy(this.v) };
  }

  setOptimizerState(state: OptimizerState): void {
    this.m = this.load(state.m, 'optimizer state m');
    this.v = this.load(state.v, 'optimizer state v');
    this.step = state.step;
  }

  /** Replaces the parameters (e.g. for finite-difference checks). */
  setWeights(w: WeightMap): void { this.params = this.load(w, 'weights'); }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }
}

export type EngineSession = TrainSession & {
  openSessions(): string[];
  lossAndGrads(batch: Batch): Promise<{ metrics: StepMetrics; grads: Map<string, FArr> }>;
  setWeights(w: WeightMap): void;
};

/** Opens a training session (see TrainSession in api.ts). */
export async function createTrainSession(opts: EngineOptions): Promise<EngineSession> {
  const e = new Engine(opts);
  await probeProvider(opts.provider ?? 'cpu');
  return e;
}

export type { LlamaConfig };
