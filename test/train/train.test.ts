// The trainer end to end on a tiny random Llama with the real Llama 3 tokenizer: every run file of the contract,
// jsonl and UltraFeedback parquet data, resume reproducing the uninterrupted run, abort -> checkpoint + stopped,
// a non-finite loss -> failed naming the step, config errors naming file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { loadModel } from '../../server/engine/hf-model';
import { readSafetensors } from '../../server/engine/safetensors';
import { runTraining, readTrainerState, TrainingInputError, isInputError } from '../../server/train/index';
import { createRunDir, readRunInfo } from '../../server/runs/run-dir';
import { KEYS } from '../../server/config/schema';
import { LLAMA3_INSTRUCT_TEMPLATE, uf, writeUltraFeedbackParquet } from '../data/helpers';
import { metricsOf, stringRows, tempDir, tinyModel, writeConfig, writeJsonl } from './helpers';

const { dir: root, cleanup } = tempDir();
const MODEL = tinyModel(join(root, 'model'), 'BF16');
const DATA = writeJsonl(join(root, 'data.jsonl'), stringRows(24));
const BASE = {
  model_name_or_path: MODEL, dataset: DATA, eval_split_ratio: 0.25, per_device_train_batch_size: 2, per_device_eval_batch_size: 3,
  gradient_accumulation_steps: 2, max_steps: 6, logging_steps: 1, eval_strategy: 'steps', eval_steps: 3, save_steps: 3,
  learning_rate: 1e-3, threads: 2, num_samples: 2, max_new_tokens: 3, max_length: 48, max_prompt_length: 24, seed: 7,
};
let n = 0;
const config = (keys: Record<string, unknown>) => writeConfig(join(root, `c${++n}.simpo.yaml`), { ...BASE, ...keys });
test.after(cleanup);

const TRAIN_KEYS = ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected', 'learning_rate', 'grad_norm', 'tokens_per_second', 'peak_memory_mb'];

test('a short SimPO run writes every run file of the contract', async () => {
  const logs: string[] = [];
  const phases = new Set<string>();
  const r = await runTraining({ configPath: config({ steps_per_call: 2, save_total_limit: 1 }), runsDir: join(root, 'runs'), onLog: (l) => logs.push(l), onProgress: (p) => phases.add(p.phase) });
  assert.equal(r.info.status, 'completed', r.info.error);
  const info = readRunInfo(r.runDir);
  assert.equal(info.status, 'completed');
  assert.equal(info.totalSteps, 6);
  assert.equal(info.step, 6);
  assert.equal(info.pid, undefined);
  assert.ok(info.started && info.ended);
  // config.yaml: the resolved config, every schema key present
  const cfg = YAML.parse(fs.readFileSync(join(r.runDir, 'config.yaml'), 'utf8'));
  for (const k of KEYS.filter((k) => k.effect === 'used')) assert.ok(k.name in cfg, `config.yaml lacks ${k.name}`);
  assert.equal(cfg.max_steps, 6);
  // metrics.jsonl: 6 training lines (logging_steps 1) and eval lines at 0, 3, 6
  const lines = metricsOf(r.runDir);
  const train = lines.filter((l) => 'loss' in l), evals = lines.filter((l) => 'eval_loss' in l);
  assert.deepEqual(train.map((l) => l.step), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(evals.map((l) => l.step), [0, 3, 6]);
  for (const l of train) {
    for (const k of TRAIN_KEYS) assert.ok(Number.isFinite(l[k]), `step ${l.step}: ${k} = ${l[k]}`);
    assert.ok(l.time > 1e12 && l.peak_memory_mb > 10 && l.tokens_per_second > 0);
    assert.ok(Math.abs(l.epoch - l.step / 4) < 1e-9, `epoch ${l.epoch}`); // 18 pairs: 9 batches of 2, 4 steps of 2 per epoch
  }
  assert.ok(train[0].learning_rate < train[1].learning_rate, 'warmup then decay (cosine default)');
  for (const k of ['eval_loss', 'eval_rewards/accuracies', 'eval_rewards/margins']) assert.ok(Number.isFinite(evals[0][k]), k);
  // train.log
  const log = fs.readFileSync(join(r.runDir, 'train.log'), 'utf8');
  for (const want of ['objective: beta', 'layout strings', 'step 6/6', 'eval at step 3', 'checkpoint:', 'completed 6 steps']) assert.ok(log.includes(want), `train.log lacks "${want}"`);
  assert.ok(logs.some((l) => l.includes('step 6/6')));
  assert.ok(phases.has('train') && phases.has('eval'));
  // checkpoints: save_total_limit 1 keeps step-6 only; it is a loadable model plus optimizer state
  assert.deepEqual(fs.readdirSync(join(r.runDir, 'checkpoints')), ['step-6']);
  const ck = join(r.runDir, 'checkpoints', 'step-6');
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'optimizer.safetensors', 'trainer_state.json']) assert.ok(fs.existsSync(join(ck, f)), f);
  const st = readTrainerState(ck);
  assert.equal(st.global_step, 6);
  assert.equal(st.optimizer_step, 6);
  assert.equal(st.seed, 7);
  const opt = readSafetensors(join(ck, 'optimizer.safetensors')).tensors;
  assert.ok(opt.has('m.model.embed_tokens.weight') && opt.has('v.model.norm.weight'));
  assert.ok(opt.has('p.model.embed_tokens.weight'), 'a BF16 model keeps float32 master weights with the optimizer');
  // final/: same format and dtype as the input (BF16), and it moved
  const fin = loadModel(join(r.runDir, 'final'));
  assert.equal(fin.dtype, 'BF16');
  const start = loadModel(MODEL);
  const moved = [...fin.weights].some(([k, t]) => t.data.some((x, i) => x !== start.weights.get(k)!.data[i]));
  assert.ok(moved, 'final weights differ from the input');
  // samples.jsonl
  const samples = fs.readFileSync(join(r.runDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(samples.length, 2);
  for (const s of samples) assert.ok(typeof s.prompt === 'string' && typeof s.before === 'string' && typeof s.after === 'string');
});

test('UltraFeedback parquet data (chat messages) trains with a chat template; DPO and SFT run too', async () => {
  const rows = stringRows(12).map((r) => uf(r.prompt, r.chosen.trim(), r.rejected.trim()));
  const file = join(root, 'uf.parquet');
  writeUltraFeedbackParquet(file, rows);
  for (const algorithm of ['simpo', 'dpo', 'sft']) {
    const r = await runTraining({ configPath: config({ dataset: file, chat_template: LLAMA3_INSTRUCT_TEMPLATE, algorithm, max_steps: 2, save_strategy: 'no', eval_steps: 2, num_samples: 0, max_length: 96, max_prompt_length: 64 }), runsDir: join(root, 'runs') });
    assert.equal(r.info.status, 'completed', `${algorithm}: ${r.info.error}`);
    const log = fs.readFileSync(join(r.runDir, 'train.log'), 'utf8');
    assert.match(log, /layout ultrafeedback/);
    const train = metricsOf(r.runDir).filter((l) => 'loss' in l);
    assert.equal(train.length, 2);
    if (algorithm !== 'sft') assert.ok(Number.isFinite(train[0]['rewards/margins']), algorithm);
    assert.ok(!fs.existsSync(join(r.runDir, 'checkpoints')), 'save_strategy no');
  }
});

test('resume from a checkpoint continues exactly as the uninterrupted run', async () => {
  const full = await runTraining({ configPath: config({ save_total_limit: null }), runsDir: join(root, 'runs') });
  assert.equal(full.info.status, 'completed');
  const ck = join(full.runDir, 'checkpoints', 'step-3');
  const resumed = await runTraining({ configPath: config({}), runsDir: join(root, 'runs'), resume: ck });
  assert.equal(resumed.info.status, 'completed', resumed.info.error);
  assert.equal(readRunInfo(resumed.runDir).resumedFrom, ck);
  const a = metricsOf(full.runDir).filter((l) => 'loss' in l && l.step > 3);
  const b = metricsOf(resumed.runDir).filter((l) => 'loss' in l);
  assert.deepEqual(b.map((l) => l.step), [4, 5, 6]);
  for (let i = 0; i < 3; i++) {
    for (const k of ['loss', 'rewards/margins', 'grad_norm', 'learning_rate']) {
      assert.ok(Math.abs(a[i][k] - b[i][k]) <= 1e-6 * (1 + Math.abs(a[i][k])), `step ${a[i].step} ${k}: ${a[i][k]} vs resumed ${b[i][k]}`);
    }
  }
  assert.match(fs.readFileSync(join(resumed.runDir, 'train.log'), 'utf8'), /resumed from .*step-3 at step 3/);
});

test('abort: the current call finishes, a checkpoint is saved and the run is stopped', async () => {
  const ac = new AbortController();
  const r = await runTraining({
    configPath: config({ max_steps: 50, save_strategy: 'no', eval_strategy: 'no' }), runsDir: join(root, 'runs'), signal: ac.signal,
    onProgress: (p) => { if (p.phase === 'train' && p.step >= 2) ac.abort(); },
  });
  assert.equal(r.info.status, 'stopped');
  const info = readRunInfo(r.runDir);
  assert.equal(info.status, 'stopped');
  assert.ok(info.step! >= 2 && info.step! < 50);
  const st = readTrainerState(join(r.runDir, 'checkpoints', `step-${info.step}`));
  assert.equal(st.global_step, info.step);
  assert.ok(!fs.existsSync(join(r.runDir, 'final')));
});

test('a non-finite loss fails the run, naming the step and the last finite values', async () => {
  const r = await runTraining({ configPath: config({ learning_rate: 1e30, lr_scheduler_type: 'constant', max_steps: 6, save_strategy: 'no', eval_strategy: 'no' }), runsDir: join(root, 'runs') });
  assert.equal(r.info.status, 'failed');
  const info = readRunInfo(r.runDir);
  assert.equal(info.status, 'failed');
  assert.match(info.error!, /(loss|grad_norm) is (NaN|-?Infinity) at step \d+ \((last finite values at step \d+: loss|no finite step)/);
  metricsOf(r.runDir); // still readable
  assert.match(fs.readFileSync(join(r.runDir, 'train.log'), 'utf8'), /FAILED: .* at step \d+/);
});

test('config errors are input errors naming the file, line and field; nothing is created', async () => {
  const file = config({ per_device_train_batch_size: 0 });
  await assert.rejects(runTraining({ configPath: file, runsDir: join(root, 'bad-runs') }), (e: unknown) => {
    assert.ok(e instanceof TrainingInputError && isInputError(e));
    assert.match((e as Error).message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+.*per_device_train_batch_size`));
    return true;
  });
  assert.ok(!fs.existsSync(join(root, 'bad-runs')));
});

test('a run directory made by the run manager is adopted; a write error fails the run with the message', async () => {
  const made = createRunDir(join(root, 'runs'), { name: 'managed', device: 'cpu' });
  assert.equal(made.info.status, 'queued');
  fs.writeFileSync(join(made.dir, 'checkpoints'), 'not a folder'); // saving step-3 must fail
  const r = await runTraining({ configPath: config({ eval_strategy: 'no', num_samples: 0 }), runDir: made.dir });
  assert.equal(r.runDir, made.dir);
  const info = readRunInfo(made.dir);
  assert.equal(info.status, 'failed');
  assert.equal(info.id, made.id);
  assert.equal(info.totalSteps, 6);
  assert.ok(info.started && info.ended && info.pid === undefined);
  assert.match(info.error!, /checkpoints/);
  assert.deepEqual(metricsOf(made.dir).map((l) => l.step), [1, 2, 3]);
  assert.ok(!fs.existsSync(join(made.dir, 'final')));
});

test('gradient accumulation over micro-batches of different lengths, a short last batch dropped, epochs', async () => {
  const rows = stringRows(21).map((r, i) => (i % 2 ? { ...r, prompt: `${r.prompt} ${'and then say it again, please '.repeat(1 + (i % 4))}` } : r));
  const file = writeJsonl(join(root, 'uneven.jsonl'), rows);
  const r = await runTraining({ configPath: config({ dataset: file, eval_split_ratio: 0, eval_strategy: 'no', max_steps: -1, num_train_epochs: 2, save_strategy: 'epoch', save_total_limit: null, max_length: 96, max_prompt_length: 80, num_samples: 0 }), runsDir: join(root, 'runs') });
  assert.equal(r.info.status, 'completed', r.info.error);
  assert.equal(r.info.totalSteps, 10); // 21 pairs: 10 batches of 2 (the 11th, of 1, dropped), 5 steps of 2 per epoch
  assert.deepEqual(metricsOf(r.runDir).map((l) => l.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(fs.readdirSync(join(r.runDir, 'checkpoints')).sort(), ['step-10', 'step-5']);
});
