// The schema agrees with the SimpoConfig type, the committed JSON Schema is generated from it and up to date,
// and the JSON Schema (as the Red Hat YAML extension would use it) accepts the reference configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { KEYS, USED_KEYS, ALIASES, PAPER_SETTINGS, defaultsFor, keyMarkdown, KEY_BY_NAME } from '../../server/config/schema';
import { jsonSchemaText, toJsonSchema } from '../../server/config/json-schema';
import type { SimpoConfig } from '../../server/config/types';

const ROOT = path.join(__dirname, '..', '..');

// every key of SimpoConfig, listed once: the type checker fails when the interface gains or loses a key
const TYPE_KEYS: { [K in keyof SimpoConfig]-?: true } = {
  algorithm: true, model_name_or_path: true, ref_model_name_or_path: true, dataset: true, dataset_mixer: true,
  dataset_splits: true, eval_dataset: true, eval_split_ratio: true, bad_rows: true, chat_template: true, max_length: true,
  max_prompt_length: true, truncation_mode: true, group_by_length: true, beta: true, gamma_beta_ratio: true, loss_type: true,
  label_smoothing: true, sft_weight: true, learning_rate: true, lr_scheduler_type: true, warmup_ratio: true, warmup_steps: true,
  num_train_epochs: true, max_steps: true, per_device_train_batch_size: true, per_device_eval_batch_size: true,
  gradient_accumulation_steps: true, weight_decay: true, adam_beta1: true, adam_beta2: true, adam_epsilon: true,
  max_grad_norm: true, seed: true, logging_steps: true, eval_strategy: true, eval_steps: true, save_strategy: true,
  save_steps: true, save_total_limit: true, num_samples: true, max_new_tokens: true, run_name: true, runs_dir: true,
  device: true, threads: true, steps_per_call: true, resume_from_checkpoint: true,
};

test('the schema\'s used keys are exactly the SimpoConfig keys, each documented', () => {
  assert.deepEqual(USED_KEYS.map((k) => k.name).sort(), Object.keys(TYPE_KEYS).sort());
  assert.equal(new Set(KEYS.map((k) => k.name)).size, KEYS.length, 'no key twice');
  for (const k of KEYS) {
    assert.ok(k.doc.length > 10, `${k.name} documented`);
    if (k.effect === 'no-effect') assert.ok(k.why, `${k.name} says why it has no effect`);
    if (k.enum) assert.ok(k.enum.includes(k.default as string), `${k.name} default in its enum`);
  }
  for (const a of ALIASES) {
    assert.ok(!KEY_BY_NAME.has(a.name), `alias ${a.name} is not also a key`);
    assert.ok(KEY_BY_NAME.has(a.target), `alias ${a.name} targets a key`);
  }
  const d = defaultsFor('simpo');
  assert.equal(d.beta, 2);
  assert.equal(d.gamma_beta_ratio, 0.25);
  assert.equal(d.loss_type, 'sigmoid');
  assert.equal(d.max_length, 512);
  assert.equal(d.max_prompt_length, 128);
  assert.equal(d.truncation_mode, 'keep_end');
  assert.equal(defaultsFor('dpo').beta, 0.1);
  // hover text carries the paper's table for SimPO's keys
  const beta = keyMarkdown(KEY_BY_NAME.get('beta')!);
  for (const s of PAPER_SETTINGS) assert.ok(beta.includes(s.setting), `beta hover names ${s.setting}`);
  assert.match(keyMarkdown(KEY_BY_NAME.get('learning_rate')!), /1e-5 gives incoherent/);
});

test('media/simpo-config.schema.json is generated from the schema and up to date', () => {
  const committed = fs.readFileSync(path.join(ROOT, 'media', 'simpo-config.schema.json'), 'utf8');
  assert.equal(committed, jsonSchemaText(), 'regenerate: node --import tsx server/config/gen-schema.ts');
});

test('the JSON Schema accepts the reference configs and rejects mistakes', () => {
  const validate = new Ajv({ strict: false, allErrors: true }).compile(toJsonSchema());
  const dir = path.join(ROOT, 'test', 'fixtures', 'configs', 'reference');
  for (const f of fs.readdirSync(dir)) assert.ok(validate(parse(fs.readFileSync(path.join(dir, f), 'utf8'))), `${f}: ${JSON.stringify(validate.errors)}`);
  assert.equal(validate({ model_name_or_path: 'm', beta: -1 }), false);
  assert.equal(validate({ model_name_or_path: 'm', loss_type: 'sigmoidd' }), false);
  assert.equal(validate({ model_name_or_path: 'm', not_a_key: 1 }), false);
  assert.equal(validate({ model_name_or_path: 'm', simpo_gamma: 0.5 }), true, 'aliases are accepted');
});
