// The embedded example's claim, checked by running the demo: SimPO takes held-out reward accuracy from chance to
// ≥ 0.9 and greedy answers get more often right. Also the shipped example itself: a loadable model, a valid
// char-level tokenizer, data whose chosen answers are the correct sums. (About 10 s on 2 cores.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTokenizer } from '../../server/data';
import { loadModel } from '../../server/engine/hf-model';
import { arithmeticJudge, examplesDir, runDemo } from '../../server/train/demo';
import { readRunInfo } from '../../server/runs/run-dir';
import type { SampleLine } from '../../server/protocol/runs';
import { tempDir } from './helpers';

test('the shipped example: model, tokenizer, data, size', () => {
  const dir = examplesDir();
  assert.equal(dir, resolve('examples'));
  const model = loadModel(join(dir, 'model'));
  assert.equal(model.config.num_hidden_layers, 2);
  assert.equal(model.config.hidden_size, 64);
  const tok = loadTokenizer(join(dir, 'model'));
  assert.equal(model.config.vocab_size, tok.vocabSize);
  const ids = tok.encode('12+7=19', { addSpecialTokens: false });
  assert.equal(ids.length, 7, 'one token per character');
  assert.equal(tok.decode(ids), '12+7=19');
  assert.ok(tok.hasChatTemplate);
  assert.equal(tok.applyChatTemplate([{ role: 'user', content: '1+2=' }], { addGenerationPrompt: true }), '<s><|user|>1+2=<|assistant|>');
  for (const f of ['arith_prefs.jsonl', 'arith_prefs_eval.jsonl']) {
    const rows = fs.readFileSync(join(dir, 'data', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(rows.length >= 40);
    for (const r of rows) {
      const j = arithmeticJudge(r.prompt, r.chosen);
      assert.equal(j.correct, true, `${f}: ${r.prompt} chosen ${r.chosen}`);
      assert.equal(arithmeticJudge(r.prompt, r.rejected).correct, false);
    }
  }
  const train = new Set(fs.readFileSync(join(dir, 'data', 'arith_prefs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).prompt));
  for (const l of fs.readFileSync(join(dir, 'data', 'arith_prefs_eval.jsonl'), 'utf8').trim().split('\n')) assert.ok(!train.has(JSON.parse(l).prompt), 'held-out prompts are not trained on');
  let bytes = 0;
  const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(join(d, e.name)); else bytes += fs.statSync(join(d, e.name)).size; } };
  walk(dir);
  assert.ok(bytes < 2 * 1024 * 1024, `examples/ is ${bytes} bytes`);
});

test('the demo: held-out reward accuracy from chance to >= 0.9, greedy answers improve, samples.jsonl judged', async () => {
  const { dir, cleanup } = tempDir('simpo-demo-');
  try {
    const lines: string[] = [];
    const s = await runDemo({ runsDir: dir, onLog: (l) => lines.push(l) });
    assert.equal(s.info.status, 'completed', s.info.error);
    assert.equal(readRunInfo(s.runDir).status, 'completed');
    assert.ok(s.evalAccuracyBefore! >= 0.3 && s.evalAccuracyBefore! <= 0.7, `before: ${s.evalAccuracyBefore}`);
    assert.ok(s.evalAccuracyAfter! >= 0.9, `after: ${s.evalAccuracyAfter}`);
    assert.ok(s.greedyBefore! <= 0.7, `greedy before ${s.greedyBefore}`);
    assert.ok(s.greedyAfter! >= 0.8 && s.greedyAfter! > s.greedyBefore!, `greedy ${s.greedyBefore} -> ${s.greedyAfter}`);
    const samples = fs.readFileSync(join(s.runDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleLine);
    assert.equal(samples.length, 40);
    for (const x of samples) {
      assert.equal(x.reference, arithmeticJudge(x.prompt, '').reference);
      assert.equal(x.afterCorrect, x.after.trim() === x.reference);
      assert.equal(typeof x.beforeCorrect, 'boolean');
    }
    assert.ok(lines.some((l) => /reward accuracy .*: 0\.\d\d -> (0\.9\d|1\.00)/.test(l)), lines.join('\n'));
  } finally {
    cleanup();
  }
});
