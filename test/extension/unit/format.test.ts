import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { describeRun, eta, fmtDuration, fmtNum, runTooltipMarkdown } from '../../../extension/format';
import { configTemplate } from '../../../extension/templates';
import { parse } from 'yaml';
import type { RunSummary } from '../../../server/protocol/lsp';

const base: RunSummary = {
  id: '20260101-000000-demo', name: 'demo', status: 'running', engine: 'onnxruntime-node', device: 'cpu', algorithm: 'simpo',
  created: '2026-01-01T00:00:00.000Z', started: '2026-01-01T00:00:00.000Z', totalSteps: 120, runDir: '/tmp/runs/demo',
  last: { step: 40, epoch: 0.3, time: Date.parse('2026-01-01T00:00:40.000Z'), loss: 0.4123, 'rewards/accuracies': 0.75, 'rewards/margins': 0.31 },
  hyper: { beta: 2, gamma_beta_ratio: 0.25, learning_rate: 1e-6, effective_batch: 8 },
};

test('a running run reads "step 40/120 · loss 0.41"', () => {
  assert.equal(describeRun(base), 'step 40/120 · loss 0.41');
});

test('a completed run shows its accuracy (eval first) and loss', () => {
  assert.equal(describeRun({ ...base, status: 'completed' }), 'acc 0.75 · loss 0.41');
  const withEval = { ...base, status: 'completed' as const, lastEval: { step: 120, epoch: 1, time: 0, 'eval_rewards/accuracies': 0.93 } };
  assert.equal(describeRun(withEval), 'acc 0.93 · loss 0.41');
});

test('a failed run shows the first line of its error', () => {
  assert.equal(describeRun({ ...base, status: 'failed', error: 'model not found: ./m\nstack...' }), 'failed · model not found: ./m');
});

test('ETA from the pace so far: 40 steps in 40 s, 80 left → 80 s', () => {
  assert.equal(eta(base), 80_000);
  assert.equal(eta({ ...base, last: undefined, step: 0 }), undefined);
  assert.equal(fmtDuration(80_000), '1m 20s');
  assert.equal(fmtDuration(3_725_000), '1h 02m');
});

test('numbers: short, exponent for tiny learning rates', () => {
  assert.equal(fmtNum(0.41234, 2), '0.41');
  assert.equal(fmtNum(1e-6), '1.00e-6');
  assert.equal(fmtNum(undefined), '–');
});

test('tooltip lists hyperparameters and latest metrics, escaping Markdown', () => {
  const md = runTooltipMarkdown({ ...base, name: 'a|b' });
  assert.match(md, /\*\*a\\\|b\*\*/);
  assert.match(md, /\| beta \| 2 \|/);
  assert.match(md, /\| gamma\\_beta\\_ratio \| 0\.25 \|/);
  assert.match(md, /\| latest metric \| value \|/);
  assert.match(md, /\| reward accuracy \| 0\.75 \|/);
});

test('templates are valid YAML with the paper\'s values', () => {
  const simpo = parse(configTemplate({ algorithm: 'simpo' }));
  assert.equal(simpo.algorithm, 'simpo');
  assert.equal(simpo.beta, 2.5);
  assert.equal(simpo.gamma_beta_ratio, 0.55);
  assert.equal(simpo.learning_rate, 1e-6);
  assert.equal(simpo.per_device_train_batch_size * simpo.gradient_accumulation_steps, 128);
  const dpo = parse(configTemplate({ algorithm: 'dpo', model: './tiny', dataset: 'd.jsonl' }));
  assert.equal(dpo.algorithm, 'dpo');
  assert.equal(dpo.beta, 0.01);
  assert.equal(dpo.model_name_or_path, './tiny');
  assert.equal(dpo.dataset, 'd.jsonl');
  assert.equal('gamma_beta_ratio' in dpo, false);
});
