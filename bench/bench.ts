// `npm run bench`: training throughput of the built-in engine against PyTorch eager on the same model, batches and
// thread count, measured in one run; SimPO against DPO step time and peak memory. Every configuration runs in a
// fresh child process, so its peak RSS is its own. Writes bench/results.json and bench/results.md.
//
//   node out/bench.js [--rounds R] [--steps N] [--threads T] [--quick] [--no-torch] [--out DIR]
//
// Model: Llama, vocab 512, hidden 256, intermediate 688 (= 8/3 · 256 rounded up to a multiple of 16, the Llama
// convention), 4 layers, 4 heads (head_dim 64), untied lm_head; batch: 8 preference pairs (16 rows) × 128 tokens,
// right-padded; float32; random weights (normal(0, 0.02), as transformers initialises).

import { spawnSync } from 'node:child_process';
import { cpus, totalmem, tmpdir, release, platform, loadavg } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Batch, LossSpec, OptimSpec } from '../server/engine/api';
import { createTrainSession } from '../server/engine/index';
import { initRandomModel, makeConfig, Rng } from '../server/engine/hf-model';
import { readSafetensors, writeSafetensors } from '../server/engine/safetensors';
import { findTorchPython, randomPreferenceBatch, batchJson, INSTALL_HINT } from '../test/engine/reference-lib';

const ROOT = resolve(__dirname, '..'); // out/.. when bundled, bench/.. under tsx: the repository either way
const MODEL = { vocab_size: 512, hidden_size: 256, intermediate_size: 688, num_hidden_layers: 4, num_attention_heads: 4 };
const SEQ = 128;
const PAIRS = 8;
const N_BATCHES = 8;
const LR = 1e-6;
const OPTIM: OptimSpec = { weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, maxGradNorm: 1.0 };
const LOSSES: Record<'simpo' | 'dpo', LossSpec> = {
  simpo: { kind: 'simpo', beta: 2.0, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 },
  dpo: { kind: 'dpo', beta: 0.1, labelSmoothing: 0 },
};

interface ChildSpec {
  side: 'engine' | 'torch';
  loss: 'simpo' | 'dpo';
  /** optimizer steps per train() call (engine only; > 1 lets the engine run them in one ONNX Loop) */
  k: number;
  weights: string;
  batches: string;
  threads: number;
  /** single-step train() calls before timing (the first builds and opens the program) */
  warmupSteps: number;
  /** timed optimizer steps (engine: in calls of k steps) */
  steps: number;
}
interface Measured {
  median_ms: number;
  min_ms?: number;
  tokens_per_s: number;
  max_rss_mb: number;
  /** RSS with the runtime loaded and the weights and batches in memory, before the first step */
  base_rss_mb?: number;
  ms_per_step: number[];
  torch?: string;
  error?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// child: one configuration

async function engineChild(spec: ChildSpec): Promise<Measured> {
  const config = makeConfig(MODEL);
  const weights = readSafetensors(spec.weights).tensors;
  const batches: Batch[] = JSON.parse(readFileSync(spec.batches, 'utf8')).map((b: any) => ({
    rows: b.rows, seqLen: b.seqLen, inputIds: Int32Array.from(b.inputIds), attentionMask: Int32Array.from(b.attentionMask), labels: Int32Array.from(b.labels),
  }));
  const baseRss = process.memoryUsage().rss / 2 ** 20;
  const session = await createTrainSession({
    config, weights, loss: LOSSES[spec.loss], optim: OPTIM, gradientAccumulationSteps: 1, provider: 'cpu', threads: spec.threads,
  });
  let cursor = 0;
  const call = async (k: number): Promise<number> => {
    const mbs = Array.from({ length: k }, () => batches[cursor++ % batches.length]);
    const t = performance.now();
    await session.train(mbs, mbs.map(() => LR));
    return (performance.now() - t) / k;
  };
  for (let i = 0; i < spec.warmupSteps; i++) await call(1);
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, Math.round(spec.steps / spec.k)); i++) times.push(await call(spec.k));
  await session.release();
  const med = median(times);
  return { median_ms: med, tokens_per_s: (batches[0].rows * SEQ) / (med / 1000), max_rss_mb: process.resourceUsage().maxRSS / 1024, base_rss_mb: baseRss, ms_per_step: times };
}

function torchChild(spec: ChildSpec, python: string, dir: string): Measured {
  const input = join(dir, `torch-${spec.loss}.json`);
  const output = join(dir, `torch-${spec.loss}-out.json`);
  writeFileSync(input, JSON.stringify({
    config: makeConfig(MODEL), weights: spec.weights, batches: JSON.parse(readFileSync(spec.batches, 'utf8')),
    loss: LOSSES[spec.loss], optim: OPTIM, lr: LR, warmup: spec.warmupSteps, steps: spec.steps, threads: spec.threads,
  }));
  const r = spawnSync(python, [join(ROOT, 'bench', 'torch_bench.py'), input, output], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`torch_bench.py failed (status ${r.status}): ${r.stderr}`);
  return JSON.parse(readFileSync(output, 'utf8'));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// ---------------------------------------------------------------------------------------------------------------
// parent: set up, run each configuration in a fresh process, report

function runEngineChild(spec: ChildSpec, dir: string, name: string): Measured {
  const specPath = join(dir, `${name}.spec.json`);
  const outPath = join(dir, `${name}.out.json`);
  writeFileSync(specPath, JSON.stringify(spec));
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--child', specPath, outPath], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`engine child ${name} failed (status ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${r.stderr.slice(-4000)}`);
  return JSON.parse(readFileSync(outPath, 'utf8'));
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function versionOf(pkg: string): string {
  try { return createRequire(join(ROOT, 'package.json'))(`${pkg}/package.json`).version; } catch { return 'unknown'; }
}

const fmt = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const quick = process.argv.includes('--quick');
  const threads = Number(arg('--threads') ?? 2);
  const steps = Number(arg('--steps') ?? (quick ? 4 : 8));
  const warmupSteps = quick ? 1 : 2;
  const rounds = Number(arg('--rounds') ?? (quick ? 1 : 3));
  const outDir = resolve(arg('--out') ?? join(ROOT, 'bench'));
  const dir = mkdtempSync(join(tmpdir(), 'simpo-bench-'));
  try {
    const config = makeConfig(MODEL);
    const weights = initRandomModel(config, 0);
    const params = [...weights.values()].reduce((a, t) => a + t.data.length, 0);
    const weightsPath = join(dir, 'model.safetensors');
    writeSafetensors(weightsPath, weights);
    const rng = new Rng(1);
    const batchesPath = join(dir, 'batches.json');
    writeFileSync(batchesPath, JSON.stringify(Array.from({ length: N_BATCHES }, () => batchJson(randomPreferenceBatch(rng, PAIRS, SEQ, MODEL.vocab_size)))));
    const base = { weights: weightsPath, batches: batchesPath, threads, warmupSteps, steps };

    const python = process.argv.includes('--no-torch') ? null : findTorchPython();
    const plan: [string, ChildSpec][] = [
      ['engine simpo K=1', { ...base, side: 'engine', loss: 'simpo', k: 1 }],
      ['engine simpo K=8', { ...base, side: 'engine', loss: 'simpo', k: 8, steps: 8 * Math.max(quick ? 1 : 2, Math.round(steps / 8)) }],
      ['engine dpo K=1', { ...base, side: 'engine', loss: 'dpo', k: 1 }],
      ['engine dpo K=8', { ...base, side: 'engine', loss: 'dpo', k: 8, steps: 8 * Math.max(quick ? 1 : 2, Math.round(steps / 8)) }],
      ['torch simpo', { ...base, side: 'torch', loss: 'simpo', k: 1 }],
      ['torch dpo', { ...base, side: 'torch', loss: 'dpo', k: 1 }],
    ];
    // Rounds: every configuration once per round, in a fresh process each time, so a slow spell of a shared
    // machine spreads over all configurations instead of landing on one.
    const samples = new Map<string, Measured[]>(plan.map(([n]) => [n, []]));
    const errors = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      console.log(`round ${round + 1}/${rounds}`);
      for (const [name, spec] of plan) {
        if (errors.has(name)) continue;
        if (spec.side === 'torch' && !python) { errors.set(name, `skipped: ${INSTALL_HINT}`); console.log(`  ${name.padEnd(18)} skipped: no python3 with torch`); continue; }
        process.stdout.write(`  ${name.padEnd(18)} `);
        try {
          const m = spec.side === 'torch' ? torchChild(spec, python!, dir) : runEngineChild(spec, dir, name.replace(/[^a-z0-9]+/gi, '-'));
          samples.get(name)!.push(m);
          console.log(`${fmt(m.median_ms)} ms/step  peak RSS ${fmt(m.max_rss_mb, 0)} MB`);
        } catch (e) {
          errors.set(name, (e as Error).message);
          console.log(`FAILED: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    const results: Record<string, Measured> = {};
    for (const [name, ms] of samples) {
      if (errors.has(name) || !ms.length) { results[name] = { median_ms: NaN, min_ms: NaN, tokens_per_s: NaN, max_rss_mb: NaN, ms_per_step: [], error: errors.get(name) ?? 'no samples' }; continue; }
      const all = ms.flatMap((m) => m.ms_per_step);
      const med = median(all);
      results[name] = {
        median_ms: med, min_ms: Math.min(...all), tokens_per_s: (2 * PAIRS * SEQ) / (med / 1000),
        max_rss_mb: Math.max(...ms.map((m) => m.max_rss_mb)), base_rss_mb: median(ms.map((m) => m.base_rss_mb ?? NaN)), ms_per_step: all, ...(ms[0].torch ? { torch: ms[0].torch } : {}),
      };
    }
    console.log('\nconfiguration         ms/step (median)   min   tokens/s   peak RSS MB');
    for (const [n, m] of Object.entries(results)) {
      console.log(`  ${n.padEnd(18)} ${m.error ? 'n/a: ' + m.error.split('\n')[0] : `${fmt(m.median_ms).padStart(10)} ${fmt(m.min_ms).padStart(10)} ${fmt(m.tokens_per_s, 0).padStart(8)} ${fmt(m.max_rss_mb, 0).padStart(10)}`}`);
    }

    const r = (n: string) => results[n]?.median_ms;
    const mem = (n: string) => results[n]?.max_rss_mb;
    const baseRss = (n: string) => results[n]?.base_rss_mb ?? NaN;
    const bestEngine = Math.min(r('engine simpo K=1'), r('engine simpo K=8'));
    const goals = [
      { goal: 'engine / torch throughput (SimPO, best of K=1 and K=8)', value: r('torch simpo') / bestEngine, target: '>= 1.0 (aim 1.5)', met: r('torch simpo') / bestEngine >= 1.0 },
      { goal: 'engine / torch throughput (SimPO, K=1)', value: r('torch simpo') / r('engine simpo K=1'), target: '>= 1.0', met: r('torch simpo') / r('engine simpo K=1') >= 1.0 },
      { goal: 'engine SimPO step / DPO step (K=1)', value: r('engine simpo K=1') / r('engine dpo K=1'), target: '<= 0.8', met: r('engine simpo K=1') / r('engine dpo K=1') <= 0.8 },
      { goal: 'engine SimPO step / DPO step (K=8)', value: r('engine simpo K=8') / r('engine dpo K=8'), target: '<= 0.8', met: r('engine simpo K=8') / r('engine dpo K=8') <= 0.8 },
      { goal: 'engine SimPO peak RSS / DPO peak RSS (K=1)', value: mem('engine simpo K=1') / mem('engine dpo K=1'), target: '<= 0.9', met: mem('engine simpo K=1') / mem('engine dpo K=1') <= 0.9 },
      { goal: 'engine SimPO / DPO training memory (peak RSS − RSS before the first step, K=1)', value: (mem('engine simpo K=1') - baseRss('engine simpo K=1')) / (mem('engine dpo K=1') - baseRss('engine dpo K=1')), target: 'info', met: null },
      { goal: 'torch SimPO step / DPO step (for comparison)', value: r('torch simpo') / r('torch dpo'), target: 'info', met: null },
      { goal: 'torch SimPO peak RSS / DPO peak RSS (for comparison)', value: mem('torch simpo') / mem('torch dpo'), target: 'info', met: null },
    ];
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown', logical_cores: cpus().length, memory_gb: +(totalmem() / 2 ** 30).toFixed(1),
      os: `${platform()} ${release()}`, node: process.version, onnxruntime_node: versionOf('onnxruntime-node'),
      torch: Object.values(results).find((m) => m.torch)?.torch ?? (python ? 'unknown' : 'not installed'),
    };
    const load = { before: +loadBefore.toFixed(2), after: +loadavg()[0].toFixed(2) };
    const busy = Math.max(load.before, load.after) > cpus().length * 0.5;
    const command = `npm run bench${process.argv.slice(2).length ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
    const report = {
      date: new Date().toISOString(), command, machine, threads, load_average_1min: load,
      warning: busy ? `the machine was busy (1-min load average ${load.before} before, ${load.after} after, ${cpus().length} cores): timings are noisy, rerun on a quiet machine` : null,
      model: { ...MODEL, head_dim: MODEL.hidden_size / MODEL.num_attention_heads, tie_word_embeddings: false, parameters: params },
      batch: { pairs: PAIRS, rows: 2 * PAIRS, seq_len: SEQ, tokens_per_step: 2 * PAIRS * SEQ, distinct_batches: N_BATCHES },
      timing: `${rounds} round(s), each configuration in a fresh process per round: ${warmupSteps} warm-up steps, then ${steps} timed steps (K=8: per-call time / 8); median over all rounds' steps; tokens/s = rows × seq_len / median step time (padding included)`,
      rounds,
      optim: OPTIM, losses: LOSSES, results, goals, wall_s: (Date.now() - started) / 1000,
    };
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(outDir, 'results.md'), markdown(report));
    console.log('\nGoals:');
    for (const g of goals) console.log(`  ${g.met === null ? 'info' : g.met ? 'MET ' : 'MISS'}  ${g.goal}: ${fmt(g.value, 2)} (target ${g.target})`);
    if (report.warning) console.log(`\nWARNING: ${report.warning}`);
    console.log(`\n${join(outDir, 'results.md')} written; total ${report.wall_s.toFixed(0)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function markdown(rep: any): string {
  const lines = [
    '# Benchmark: engine vs PyTorch eager, SimPO vs DPO',
    '',
    `- Date: ${rep.date}`,
    `- Command: \`${rep.command}\``,
    `- Machine: ${rep.machine.cpu}, ${rep.machine.logical_cores} logical cores, ${rep.machine.memory_gb} GB, ${rep.machine.os}; Node ${rep.machine.node}, onnxruntime-node ${rep.machine.onnxruntime_node}, torch ${rep.machine.torch}`,
    ...(rep.warning ? [`- **Warning: ${rep.warning}**`] : []),
    `- Load average (1 min): ${rep.load_average_1min.before} before, ${rep.load_average_1min.after} after`,
    `- Threads: ${rep.threads} (engine intraOpNumThreads and torch.set_num_threads)`,
    `- Model: Llama, vocab ${rep.model.vocab_size}, hidden ${rep.model.hidden_size}, intermediate ${rep.model.intermediate_size}, ${rep.model.num_hidden_layers} layers, ${rep.model.num_attention_heads} heads, ${(rep.model.parameters / 1e6).toFixed(2)}M parameters, float32, random weights`,
    `- Batch: ${rep.batch.pairs} pairs (${rep.batch.rows} rows) × ${rep.batch.seq_len} tokens; AdamW with grad clipping 1.0`,
    `- Timing: ${rep.timing}; peak memory = max RSS of a fresh process per configuration`,
    '',
    '| configuration | ms/step (median) | ms/step (min) | tokens/s | peak RSS (MB) | RSS before first step (MB) |',
    '|---|---:|---:|---:|---:|---:|',
    ...Object.entries(rep.results as Record<string, Measured>).map(([n, m]) =>
      `| ${n} | ${m.error ? 'failed' : fmt(m.median_ms)} | ${m.error ? '' : fmt(m.min_ms)} | ${m.error ? '' : fmt(m.tokens_per_s, 0)} | ${m.error ? '' : fmt(m.max_rss_mb, 0)} | ${m.error ? '' : fmt(m.base_rss_mb, 0)} |`),
    '',
    '| goal | measured | target | |',
    '|---|---:|---|---|',
    ...rep.goals.map((g: any) => `| ${g.goal} | ${fmt(g.value, 2)} | ${g.target} | ${g.met === null ? '' : g.met ? 'met' : 'missed'} |`),
    '',
  ];
  const errors = Object.entries(rep.results as Record<string, Measured>).filter(([, m]) => m.error);
  if (errors.length) lines.push('Failures:', '', ...errors.map(([n, m]) => `- ${n}: ${m.error!.split('\n')[0]}`), '');
  return lines.join('\n');
}

if (process.argv[2] === '--child') {
  const spec: ChildSpec = JSON.parse(readFileSync(process.argv[3], 'utf8'));
  engineChild(spec).then((m) => { writeFileSync(process.argv[4], JSON.stringify(m)); process.exit(0); })
    .catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
} else {
  main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
}
