// The trainer: `runTraining` loads and checks a config, resolves the model and data, creates (or adopts) the
// run directory, trains in a worker thread (see worker.ts) and writes every run file of the contract
// (DESIGN.md): run.json, config.yaml, metrics.jsonl, train.log, samples.jsonl, checkpoints/step-N/, final/.
// The main thread never blocks on the engine: it writes files, reports progress and answers signals.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { Batch, LossSpec, Provider, StepMetrics } from '../engine/api';
import { loadConfigFile } from '../config/load';
import { formatFinding } from '../config/findings';
import type { SimpoConfig } from '../config/types';
import { batchesPerEpoch, formatDataReport, loadPreferenceData, loadTokenizer, makeBatches, makeSftBatches, resolveModel } from '../data';
import type { DataBatch, PreferenceData, Tokenizer } from '../data';
import { RUN_FILES, type RunInfo, type SampleLine } from '../protocol/runs';
import { JsonlAppender, createRunDir, defaultRunsDir, readRunInfo, updateRunInfo, writeFileAtomic } from '../runs/run-dir';
import { checkpointDir, commitDir, readTrainerState, rotateCheckpoints, writeTrainerState, type TrainerState } from './checkpoint';
import { NonFiniteError, TrainingInputError, isInputError } from './errors';
import { MetricWindow, countTokens, evalSummary, peakMemoryMb } from './metrics';
import { lrLambda, planSteps } from './schedule';
import { TrainerWorker } from './worker-client';
import { OPTIMIZER_FILE } from './worker-files';

export { isInputError, TrainingInputError, NonFiniteError };
export { lrLambda, planSteps, warmupStepsFor } from './schedule';
export { readTrainerState, TRAINER_STATE_FILE, type TrainerState } from './checkpoint';

export interface TrainingProgress {
  step: number;
  totalSteps: number;
  metrics: Record<string, number>;
  etaSeconds?: number;
  /** 'load' | 'eval' | 'train' | 'samples' | 'save' */
  phase: string;
}

/** How a held-out answer is judged (the demo's arithmetic task); prompt and answer are decoded text. */
export type Judge = (prompt: string, answer: string) => { reference?: string; correct?: boolean };

export interface TrainingOptions {
  configPath: string;
  /** where a new run directory is made (default: the config's runs_dir, else .simpo/runs in the cwd) */
  runsDir?: string;
  /** an existing run directory (queued, made by the run manager) to train in */
  runDir?: string;
  /** dataset overriding the config's */
  dataset?: string;
  name?: string;
  /** checkpoint folder to continue from (overrides resume_from_checkpoint) */
  resume?: string;
  onProgress?: (p: TrainingProgress) => void;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  /** judges the greedy samples (sets SampleLine.reference / beforeCorrect / afterCorrect) */
  judge?: Judge;
  /** config keys overriding the file's (tests, the demo) */
  overrides?: Partial<SimpoConfig>;
}

export interface TrainingResult {
  runDir: string;
  info: RunInfo;
  /** eval metrics before training (step 0; absent when resuming or without an eval set) and at the end */
  evalBefore?: Record<string, number>;
  evalAfter?: Record<string, number>;
  samples?: SampleLine[];
}

function lossSpec(c: SimpoConfig): LossSpec {
  if (c.algorithm === 'sft') return { kind: 'sft' };
  if (c.algorithm === 'dpo') return { kind: 'dpo', beta: c.beta, labelSmoothing: c.label_smoothing };
  return { kind: 'simpo', beta: c.beta, gammaBetaRatio: c.gamma_beta_ratio, lossType: c.loss_type, labelSmoothing: c.label_smoothing, sftWeight: c.sft_weight };
}

/** Loads the config with every check the editor runs; errors become one TrainingInputError naming file:line. */
async function loadConfig(opts: TrainingOptions): Promise<SimpoConfig> {
  const r = await loadConfigFile(opts.configPath, { checkPaths: true });
  const errors = r.findings.filter((f) => f.severity === 'error' && !(opts.dataset && f.code === 'required' && /data/.test(f.message)));
  if (errors.length) {
    const shown = errors.slice(0, 10).map(formatFinding).join('\n');
    throw new TrainingInputError(errors.length === 1 ? shown : `${errors.length} errors in ${opts.configPath}:\n${shown}`);
  }
  const config = { ...r.config, ...(opts.overrides ?? {}) };
  if (opts.dataset) {
    config.dataset = path.resolve(opts.dataset);
    config.dataset_mixer = null;
  }
  if (opts.resume) config.resume_from_checkpoint = path.resolve(opts.resume);
  return config;
}

const stamp = () => new Date().toISOString().slice(11, 19);

export async function runTraining(opts: TrainingOptions): Promise<TrainingResult> {
  const config = await loadConfig(opts);
  const configDir = path.dirname(path.resolve(opts.configPath));

  // model, resume state, tokenizer, data: all input errors, thrown before the run is touched
  const resume = config.resume_from_checkpoint ? path.resolve(configDir, config.resume_from_checkpoint) : undefined;
  let state: TrainerState | undefined;
  if (resume) {
    try {
      state = readTrainerState(resume);
    } catch (e) {
      throw new TrainingInputError(`resume_from_checkpoint: ${(e as Error).message}`);
    }
    if (!fs.existsSync(path.join(resume, OPTIMIZER_FILE))) throw new TrainingInputError(`resume_from_checkpoint: ${resume} has no ${OPTIMIZER_FILE}`);
  }
  const modelDir = resolveModel(config.model_name_or_path, configDir);
  const refDir = config.algorithm === 'dpo'
    ? (config.ref_model_name_or_path ? resolveModel(config.ref_model_name_or_path, configDir) : modelDir)
    : undefined;
  opts.onProgress?.({ step: 0, totalSteps: 0, metrics: {}, phase: 'load' });
  const tok = loadTokenizer(modelDir, { chatTemplate: config.chat_template });
  const data = await loadPreferenceData({
    ...config, baseDir: configDir,
    onProgress: (phase, done, total) => opts.onProgress?.({ step: 0, totalSteps: 0, metrics: { done, total }, phase: `tokenize ${phase}` }),
  }, tok);
  if (data.train.length === 0) throw new TrainingInputError(`no training pairs in ${config.dataset ?? 'the dataset'}`);
  const pairsPerBatch = config.per_device_train_batch_size;
  const gas = config.gradient_accumulation_steps;
  const plan = planSteps({
    batchesPerEpoch: batchesPerEpoch(data.train.length, pairsPerBatch, gas > 1), gradientAccumulationSteps: gas,
    numTrainEpochs: config.num_train_epochs, maxSteps: config.max_steps, warmupSteps: config.warmup_steps, warmupRatio: config.warmup_ratio,
  });

  // the run directory
  const name = opts.name ?? config.run_name ?? path.basename(opts.configPath).replace(/\.(simpo\.)?ya?ml$/, '');
  const now = new Date().toISOString();
  let runDir: string;
  if (opts.runDir) {
    runDir = path.resolve(opts.runDir);
    readRunInfo(runDir);
  } else {
    const runsDir = opts.runsDir ?? config.runs_dir ?? defaultRunsDir(process.cwd());
    runDir = createRunDir(runsDir, { name, device: config.device, algorithm: config.algorithm, configPath: path.resolve(opts.configPath), totalSteps: plan.totalSteps, status: 'running' }).dir;
  }
  updateRunInfo(runDir, {
    status: 'running', pid: process.pid, started: now, totalSteps: plan.totalSteps, algorithm: config.algorithm,
    configPath: path.resolve(opts.configPath), device: config.device, resumedFrom: resume,
  });

  const trainer = new Trainer(runDir, config, opts, { modelDir, refDir, resume, state, tok, data, plan });
  return trainer.run();
}

interface Prepared {
  modelDir: string;
  refDir?: string;
  resume?: string;
  state?: TrainerState;
  tok: Tokenizer;
  data: PreferenceData;
  plan: ReturnType<typeof planSteps>;
}

class Trainer {
  private log!: JsonlAppender;
  private metrics!: JsonlAppender;
  private worker: TrainerWorker | undefined;
  private epochCache = new Map<number, DataBatch[]>();
  private lastFinite: { step: number; loss: number; grad_norm?: number } | undefined;
  private step = 0;
  private info: RunInfo;
  private result: TrainingResult;

  constructor(private runDir: string, private c: SimpoConfig, private opts: TrainingOptions, private p: Prepared) {
    this.info = readRunInfo(runDir);
    this.result = { runDir, info: this.info };
  }

  private line(msg: string): void {
    this.log.write(`[${stamp()}] ${msg}\n`);
    this.opts.onLog?.(msg);
  }

  private progress(phase: string, metrics: Record<string, number> = {}, etaSeconds?: number): void {
    this.opts.onProgress?.({ step: this.step, totalSteps: this.p.plan.totalSteps, metrics, etaSeconds, phase });
  }

  private batchesOf(epoch: number): DataBatch[] {
    let b = this.epochCache.get(epoch);
    if (!b) {
      // with gradient accumulation the micro-batches of a step must have as many rows: a short last batch is dropped
      const o = { pairsPerBatch: this.c.per_device_train_batch_size, seed: this.c.seed, epoch, padId: this.p.tok.padId, groupByLength: this.c.group_by_length, dropLast: this.c.gradient_accumulation_steps > 1 };
      b = this.c.algorithm === 'sft' ? makeSftBatches(this.p.data.train, o) : makeBatches(this.p.data.train, o);
      this.epochCache.clear();
      this.epochCache.set(epoch, b);
    }
    return b;
  }

  /** The micro-batches of optimizer step `s` (0-based), a pure function of (data, seed, s). */
  private microBatches(s: number): DataBatch[] {
    const { stepsPerEpoch } = this.p.plan;
    const gas = this.c.gradient_accumulation_steps;
    const epoch = Math.floor(s / stepsPerEpoch);
    const local = s % stepsPerEpoch;
    const mbs = this.batchesOf(epoch).slice(local * gas, local * gas + gas);
    // the micro-batches of one optimizer step share one shape (the engine accumulates in one graph)
    const S = Math.max(...mbs.map((b) => b.seqLen));
    return mbs.map((b) => padSeqLen(b, S, this.p.tok.padId));
  }

  private isLogStep(n: number): boolean {
    return n % Math.max(1, this.c.logging_steps) === 0 || n === this.p.plan.totalSteps;
  }
  private isEvalStep(n: number): boolean {
    if (this.c.eval_strategy === 'no' || this.p.data.eval.length === 0) return false;
    if (n === this.p.plan.totalSteps) return true;
    if (this.c.eval_strategy === 'epoch') return n % this.p.plan.stepsPerEpoch === 0;
    return n % Math.max(1, this.c.eval_steps) === 0;
  }
  private isSaveStep(n: number): boolean {
    if (this.c.save_strategy === 'no') return false;
    if (this.c.save_strategy === 'epoch') return n % this.p.plan.stepsPerEpoch === 0;
    return n % Math.max(1, this.c.save_steps) === 0;
  }

  async run(): Promise<TrainingResult> {
    try {
      this.log = new JsonlAppender(path.join(this.runDir, RUN_FILES.log));
      this.metrics = new JsonlAppender(path.join(this.runDir, RUN_FILES.metrics));
      writeFileAtomic(path.join(this.runDir, RUN_FILES.config), `# resolved config of run ${this.info.id} (every default filled in)\n` + YAML.stringify(this.c));
      await this.train();
    } catch (e) {
      return this.fail(e);
    } finally {
      try { this.log?.close(); this.metrics?.close(); } catch { /* closing */ }
      if (this.worker) await this.worker.close();
    }
    return this.result;
  }

  private fail(e: unknown): TrainingResult {
    const msg = (e as Error)?.message ?? String(e);
    try { this.line(`FAILED: ${msg}`); } catch { /* the log itself may be unwritable */ }
    try {
      this.info = updateRunInfo(this.runDir, { status: 'failed', error: msg, ended: new Date().toISOString(), pid: undefined, step: this.step });
    } catch (e2) {
      throw new Error(`${msg}; and run.json could not be updated: ${(e2 as Error).message}`);
    }
    this.result.info = this.info;
    return this.result;
  }

  private async train(): Promise<void> {
    const { c, p } = this;
    const { plan, data, tok } = p;
    this.line(`run ${this.info.id}: ${c.algorithm} on ${p.modelDir}`);
    const lossDesc = c.algorithm === 'simpo' ? `beta ${c.beta}, gamma_beta_ratio ${c.gamma_beta_ratio}, loss_type ${c.loss_type}, label_smoothing ${c.label_smoothing}, sft_weight ${c.sft_weight}`
      : c.algorithm === 'dpo' ? `beta ${c.beta}, label_smoothing ${c.label_smoothing}, reference ${p.refDir}` : 'cross-entropy of the chosen responses';
    this.line(`objective: ${lossDesc}`);
    this.line(`optimiser: AdamW lr ${c.learning_rate} (${c.lr_scheduler_type}, warmup ${plan.warmup} steps), weight_decay ${c.weight_decay}, betas (${c.adam_beta1}, ${c.adam_beta2}), eps ${c.adam_epsilon}, max_grad_norm ${c.max_grad_norm}`);
    this.line(`batch: ${c.per_device_train_batch_size} pairs × ${c.gradient_accumulation_steps} accumulation = ${c.per_device_train_batch_size * c.gradient_accumulation_steps} pairs per step; ${plan.stepsPerEpoch} steps per epoch, ${plan.totalSteps} steps`);
    for (const l of formatDataReport(data.report)) this.line(l);

    // The config's `threads` wins; 0 (all cores) falls back to SIMPO_THREADS, which the extension's
    // `simpo.threads` setting passes to the trainers it starts.
    const threads = c.threads || threadsFromEnv();
    this.worker = new TrainerWorker();
    const init = await this.worker.call({
      kind: 'init', modelDir: p.resume ?? p.modelDir, refModelDir: p.refDir,
      optimizerFile: p.resume ? path.join(p.resume, OPTIMIZER_FILE) : undefined, optimizerStep: p.state?.optimizer_step,
      loss: lossSpec(c),
      optim: { weightDecay: c.weight_decay, beta1: c.adam_beta1, beta2: c.adam_beta2, epsilon: c.adam_epsilon, maxGradNorm: c.max_grad_norm },
      gradientAccumulationSteps: c.gradient_accumulation_steps, provider: c.device as Provider, threads,
    });
    this.line(`model: ${init.modelType}, ${init.params.toLocaleString('en-US')} parameters, stored as ${init.dtype}; engine onnxruntime-node on ${c.device}, ${threads || 'all'} threads`);
    if (p.state) {
      this.step = p.state.global_step;
      this.line(`resumed from ${p.resume} at step ${this.step} (epoch ${p.state.epoch.toFixed(3)})`);
    }

    const evalBatches = data.eval.length === 0 ? [] : (() => {
      const o = { pairsPerBatch: c.per_device_eval_batch_size, seed: 0, epoch: 0, padId: tok.padId, shuffle: false };
      return c.algorithm === 'sft' ? makeSftBatches(data.eval, o) : makeBatches(data.eval, o);
    })();
    const samplePairs = (data.eval.length ? data.eval : []).slice(0, c.num_samples);
    const before = samplePairs.length ? await this.generate(samplePairs.map((q) => Array.from(q.promptIds))) : [];
    if (evalBatches.length && !p.state && c.eval_strategy !== 'no') this.result.evalBefore = await this.evaluate(evalBatches);

    // the loop
    const window = new MetricWindow();
    const K = Math.max(1, c.steps_per_call);
    const startStep = this.step, t0 = Date.now();
    let latest: Record<string, number> = {};
    while (this.step < plan.totalSteps) {
      if (this.opts.signal?.aborted) break;
      // a chunk of up to K steps of one shape, events (log/eval/save) only at its last step
      const chunk: DataBatch[][] = [this.microBatches(this.step)];
      const shape = (b: Batch) => `${b.rows}x${b.seqLen}`;
      const s0 = shape(chunk[0][0]);
      const same = (mb: DataBatch[]) => mb.every((b) => shape(b) === s0);
      if (same(chunk[0])) {
        while (chunk.length < K && this.step + chunk.length < plan.totalSteps) {
          const n = this.step + chunk.length; // completed steps after the chunk so far
          if (this.isLogStep(n) || this.isEvalStep(n) || this.isSaveStep(n)) break;
          const next = this.microBatches(n);
          if (!same(next)) break;
          chunk.push(next);
        }
      }
      const lrs = chunk.map((_, i) => c.learning_rate * lrLambda(c.lr_scheduler_type, this.step + i, plan.totalSteps, plan.warmup));
      const ms = await this.worker.call({ kind: 'train', batches: chunk.flat(), lrs });
      for (let i = 0; i < ms.length; i++) {
        const m = ms[i];
        const n = this.step + 1;
        this.checkFinite(m, n);
        const tokens = chunk[i].reduce((a, b) => a + countTokens(b.attentionMask), 0);
        window.add({ ...m, learning_rate: lrs[i] }, tokens);
        this.step = n;
        this.lastFinite = { step: n, loss: m.loss, grad_norm: m.grad_norm };
        if (this.isLogStep(n)) {
          const secs = Math.max(1e-9, (Date.now() - window.started) / 1000);
          latest = { ...window.summary(), tokens_per_second: window.tokens / secs, peak_memory_mb: peakMemoryMb() };
          const lineObj = { step: n, epoch: n / plan.stepsPerEpoch, time: Date.now(), ...latest };
          this.metrics.append(lineObj);
          window.reset();
          this.info = updateRunInfo(this.runDir, { step: n });
          this.line(`step ${n}/${plan.totalSteps}  loss ${fmt(latest.loss)}` + (latest['rewards/margins'] !== undefined ? `  margin ${fmt(latest['rewards/margins'])}  acc ${fmt(latest['rewards/accuracies'])}` : '') + `  lr ${latest.learning_rate.toExponential(2)}  grad_norm ${fmt(latest.grad_norm)}  ${Math.round(latest.tokens_per_second)} tok/s  ${Math.round(latest.peak_memory_mb)} MB`);
        }
      }
      const done = this.step - startStep;
      const eta = ((Date.now() - t0) / 1000 / Math.max(1, done)) * (plan.totalSteps - this.step);
      this.progress('train', { ...ms[ms.length - 1], ...latest, loss: ms[ms.length - 1].loss }, eta);
      if (this.isEvalStep(this.step)) {
        const ev = await this.evaluate(evalBatches);
        if (this.step === plan.totalSteps) this.result.evalAfter = ev;
      }
      if (this.isSaveStep(this.step) && !(this.opts.signal?.aborted && this.step < plan.totalSteps)) await this.checkpoint();
    }

    if (this.step < plan.totalSteps) {
      // stopped: checkpoint where we are, so the run can be resumed
      const dir = await this.checkpoint();
      this.line(`stopped at step ${this.step}/${plan.totalSteps}; resume with --resume ${dir}`);
      this.info = updateRunInfo(this.runDir, { status: 'stopped', ended: new Date().toISOString(), pid: undefined, step: this.step });
      this.result.info = this.info;
      return;
    }
    if (!this.result.evalAfter && evalBatches.length && c.eval_strategy !== 'no') this.result.evalAfter = await this.evaluate(evalBatches);

    this.progress('save');
    const finalDir = path.join(this.runDir, RUN_FILES.final);
    const tmp = `${finalDir}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    await this.worker.call({ kind: 'save', dir: tmp, tokenizerFrom: p.modelDir, optimizer: false });
    commitDir(tmp, finalDir);
    this.line(`final model: ${finalDir}`);

    if (samplePairs.length) {
      const after = await this.generate(samplePairs.map((q) => Array.from(q.promptIds)));
      const samples: SampleLine[] = samplePairs.map((q, i) => {
        const prompt = tok.decode(q.promptIds, { skipSpecialTokens: true });
        const s: SampleLine = { prompt, before: before[i], after: after[i] };
        if (this.opts.judge) {
          const b = this.opts.judge(prompt, before[i]), a = this.opts.judge(prompt, after[i]);
          if (a.reference !== undefined) s.reference = a.reference;
          if (b.correct !== undefined) s.beforeCorrect = b.correct;
          if (a.correct !== undefined) s.afterCorrect = a.correct;
        }
        return s;
      });
      writeFileAtomic(path.join(this.runDir, RUN_FILES.samples), samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
      this.result.samples = samples;
      this.line(`samples: ${samples.length} held-out prompts answered greedily before and after (${RUN_FILES.samples})`);
    }
    const secs = (Date.now() - t0) / 1000;
    this.line(`completed ${plan.totalSteps} steps in ${secs.toFixed(1)} s; peak memory ${Math.round(peakMemoryMb())} MB`);
    this.info = updateRunInfo(this.runDir, { status: 'completed', ended: new Date().toISOString(), pid: undefined, step: this.step });
    this.result.info = this.info;
  }

  private checkFinite(m: StepMetrics, n: number): void {
    const bad = !Number.isFinite(m.loss) ? `loss is ${m.loss}` : m.grad_norm !== undefined && !Number.isFinite(m.grad_norm) ? `grad_norm is ${m.grad_norm}` : undefined;
    if (!bad) return;
    const last = this.lastFinite
      ? `last finite values at step ${this.lastFinite.step}: loss ${fmt(this.lastFinite.loss)}${this.lastFinite.grad_norm !== undefined ? `, grad_norm ${fmt(this.lastFinite.grad_norm)}` : ''}`
      : 'no finite step before it';
    throw new NonFiniteError(`${bad} at step ${n} (${last}); lower learning_rate (now ${this.c.learning_rate}) or check the data`);
  }

  private async evaluate(batches: DataBatch[]): Promise<Record<string, number>> {
    this.progress('eval');
    const per = await this.worker!.call({ kind: 'evaluate', batches });
    const ev = evalSummary(per, batches.map((b) => b.indices.length));
    this.metrics.append({ step: this.step, epoch: this.step / this.p.plan.stepsPerEpoch, time: Date.now(), ...ev });
    this.line(`eval at step ${this.step}: loss ${fmt(ev.eval_loss)}` + (ev['eval_rewards/accuracies'] !== undefined ? `  margin ${fmt(ev['eval_rewards/margins'])}  acc ${fmt(ev['eval_rewards/accuracies'])}` : '') + ` (${this.p.data.eval.length} pairs)`);
    return ev;
  }

  private async generate(prompts: number[][]): Promise<string[]> {
    this.progress('samples');
    const out = await this.worker!.call({ kind: 'generate', prompts, maxNewTokens: this.c.max_new_tokens, eosIds: this.p.tok.stopIds });
    return out.map((ids) => this.p.tok.decode(ids, { skipSpecialTokens: true }));
  }

  private async checkpoint(): Promise<string> {
    this.progress('save');
    const dir = checkpointDir(this.runDir, this.step);
    const tmp = `${dir}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const saved = await this.worker!.call({ kind: 'save', dir: tmp, tokenizerFrom: this.p.modelDir, optimizer: true });
    const { stepsPerEpoch } = this.p.plan;
    writeTrainerState(tmp, {
      global_step: this.step, epoch: this.step / stepsPerEpoch,
      data_epoch: Math.floor(this.step / stepsPerEpoch), data_batch: (this.step % stepsPerEpoch) * this.c.gradient_accumulation_steps,
      seed: this.c.seed, total_steps: this.p.plan.totalSteps, optimizer_step: saved.optimizerStep,
      model_name_or_path: this.p.state?.model_name_or_path ?? this.p.modelDir, run_id: this.info.id,
    });
    commitDir(tmp, dir);
    const removed = rotateCheckpoints(this.runDir, this.c.save_total_limit);
    this.line(`checkpoint: ${dir}${removed.length ? ` (removed ${removed.map((d) => path.basename(d)).join(', ')})` : ''}`);
    return dir;
  }
}

/** The batch right-padded to seqLen S (padding: pad id, mask 0, label -100); the batch itself when already S long. */
export function padSeqLen(b: DataBatch, S: number, padId: number): DataBatch {
  if (b.seqLen === S) return b;
  const inputIds = new Int32Array(b.rows * S).fill(padId), attentionMask = new Int32Array(b.rows * S), labels = new Int32Array(b.rows * S).fill(-100);
  for (let r = 0; r < b.rows; r++) {
    inputIds.set(b.inputIds.subarray(r * b.seqLen, (r + 1) * b.seqLen), r * S);
    attentionMask.set(b.attentionMask.subarray(r * b.seqLen, (r + 1) * b.seqLen), r * S);
    labels.set(b.labels.subarray(r * b.seqLen, (r + 1) * b.seqLen), r * S);
  }
  return { ...b, seqLen: S, inputIds, attentionMask, labels };
}

function fmt(x: number | undefined): string {
  if (x === undefined) return '?';
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toFixed(4);
}

/** SIMPO_THREADS: a positive integer, else 0 (onnxruntime's default: all cores). */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SIMPO_THREADS);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
