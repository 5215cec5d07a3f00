// Helpers for CLI tests: run the real `simpo` entry (the TypeScript source through tsx, so a test always runs the
// code it sits beside) as a separate process.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'server', 'cli', 'main.ts');
/** `--import tsx` by absolute URL, so the CLI can run from any working directory. */
export const NODE_ARGS = ['--import', pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href];

export interface CliResult { status: number | null; signal?: NodeJS.Signals | null; stdout: string; stderr: string }

export function simpo(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [...NODE_ARGS, CLI, ...args], {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `simpo ...` without waiting; collects its output. */
export function simpoAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, [...NODE_ARGS, CLI, ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise<CliResult>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
}

export function tmp(prefix = 'simpo-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A tiny random Llama (Llama 3 tokenizer and vocabulary, hidden size 16, 2 layers) saved as a HF model folder. */
export function tinyModel(dir: string, opts: { poison?: boolean } = {}): string {
  // imported lazily: only the training tests need the engine
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { initRandomModel, makeConfig, saveModel } = require('../../server/engine/hf-model') as typeof import('../../server/engine/hf-model');
  const config = makeConfig({
    vocab_size: 128256, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    num_key_value_heads: 1, rms_norm_eps: 1e-5, rope_theta: 500000, bos_token_id: 128000, eos_token_id: 128009,
    tie_word_embeddings: true,
  });
  const weights = initRandomModel(config, 1);
  if (opts.poison) weights.get('model.norm.weight')!.data[0] = Number.NaN; // a model that can only produce NaN
  saveModel(dir, config, weights, 'F32', path.join(ROOT, 'node_modules', '@lenml', 'tokenizer-llama3', 'models'));
  return dir;
}

const WORDS = ['red', 'green', 'blue', 'cat', 'dog', 'sun', 'moon', 'tree', 'river', 'stone'];

/** A folder with a tiny model, a jsonl of preference pairs and a config training `steps` steps. */
export function tinyExperiment(opts: { steps: number; saveSteps?: number; poison?: boolean; extra?: Record<string, unknown> }): { dir: string; config: string; data: string } {
  const dir = tmp('simpo-exp-');
  tinyModel(path.join(dir, 'model'), { poison: opts.poison });
  const data = path.join(dir, 'pairs.jsonl');
  fs.writeFileSync(data, Array.from({ length: 16 }, (_, i) => JSON.stringify({
    prompt: `Say ${WORDS[i % 10]}.`, chosen: ` ${WORDS[i % 10]}`, rejected: ` ${WORDS[(i + 3) % 10]} and more`,
  })).join('\n') + '\n');
  const keys: Record<string, unknown> = {
    model_name_or_path: 'model', dataset: 'pairs.jsonl', per_device_train_batch_size: 2, gradient_accumulation_steps: 1,
    max_steps: opts.steps, logging_steps: 1, eval_strategy: 'no', save_strategy: 'steps', save_steps: opts.saveSteps ?? 1000,
    learning_rate: 1e-3, threads: 1, num_samples: 0, max_length: 32, max_prompt_length: 16, steps_per_call: 1, ...opts.extra,
  };
  const config = path.join(dir, 'tiny.simpo.yaml');
  fs.writeFileSync(config, Object.entries(keys).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join('\n') + '\n');
  return { dir, config, data };
}

/** Test cleanup: SIGKILL the trainers of runs still alive under a runs dir (a failed assertion must not leave them). */
export function killTrainers(runsDir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(runsDir);
  } catch {
    return;
  }
  for (const n of names) {
    try {
      const info = JSON.parse(fs.readFileSync(path.join(runsDir, n, 'run.json'), 'utf8')) as { pid?: number };
      if (info.pid) process.kill(info.pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
}
