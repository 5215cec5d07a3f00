// Quick-fix edits as pure functions (the server test applies them end to end): values appended when the key is
// absent, block values replaced whole, alias entries removed with their line, CRLF files; and the bundled CLI
// (out/cli.js lsp --stdio, as the extension starts it) answering over stdio when it is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../server/config/parse';
import { fixEdits } from '../../server/lsp/features';
import { LspClient, ROOT, tempWorkspace } from './helpers';

function apply(text: string, fix: Parameters<typeof fixEdits>[0]): string {
  const p = parseConfig(text, 'c.yaml');
  const edits = fixEdits(fix, p).map((e) => ({ s: p.lines.offset(e.range.start), e: p.lines.offset(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of edits) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

test('value fixes: replace a scalar, replace a block, append a missing key', () => {
  assert.equal(apply('beta: -1\nseed: 1\n', { kind: 'value', key: 'beta', value: 2, title: '' }), 'beta: 2\nseed: 1\n');
  assert.equal(apply('dataset_splits:\n- a\n- b\nseed: 1\n', { kind: 'value', key: 'dataset_splits', value: 'x', title: '' }), 'dataset_splits: x\nseed: 1\n');
  assert.equal(apply('seed: 1', { kind: 'value', key: 'eval_split_ratio', value: 0.05, title: '' }), 'seed: 1\neval_split_ratio: 0.05\n');
  assert.equal(apply('seed: 1\n', { kind: 'value', key: 'learning_rate', value: 1e-6, title: '' }), 'seed: 1\nlearning_rate: 1e-6\n');
  assert.equal(apply('run_name: a\n', { kind: 'value', key: 'run_name', value: 'true', title: '' }), 'run_name: "true"\n', 'strings YAML would misread are quoted');
});

test('rewrites: alias replaced in place, existing keys updated, removal takes the line; CRLF kept', () => {
  assert.equal(apply('beta: 2\nsimpo_gamma: 1 # abs\nseed: 1\n', { kind: 'rewrite', remove: 'simpo_gamma', set: [{ key: 'gamma_beta_ratio', value: 0.5 }], title: '' }), 'beta: 2\ngamma_beta_ratio: 0.5\nseed: 1\n');
  assert.equal(apply('algorithm: dpo\nloss_type: simpo\n', { kind: 'rewrite', remove: 'loss_type', set: [{ key: 'algorithm', value: 'simpo' }, { key: 'loss_type', value: 'sigmoid' }], title: '' }), 'algorithm: simpo\nloss_type: sigmoid\n');
  assert.equal(apply('beta: 2\ncpo_alpha: 0\nseed: 1\n', { kind: 'rewrite', remove: 'cpo_alpha', set: [], title: '' }), 'beta: 2\nseed: 1\n');
  assert.equal(apply('beta: 2\r\ncpo_alpha: 0\r\nseed: 1\r\n', { kind: 'rewrite', remove: 'cpo_alpha', set: [], title: '' }), 'beta: 2\r\nseed: 1\r\n');
  assert.equal(apply('bta: 2\r\n', { kind: 'rename', from: 'bta', to: 'beta' }), 'beta: 2\r\n');
  assert.deepEqual(fixEdits({ kind: 'rename', from: 'gone', to: 'beta' }, parseConfig('beta: 1\n', 'c.yaml')), []);
});

const BUILT = path.join(ROOT, 'out', 'cli.js');
test('the bundled CLI serves the language server over stdio (out/cli.js lsp --stdio)', { skip: !fs.existsSync(BUILT) && 'out/cli.js not built (npm run build)' }, async () => {
  const ws = tempWorkspace();
  const client = new LspClient({ workspace: ws, command: [BUILT, 'lsp', '--stdio'] });
  try {
    await client.initialize();
    const uri = await client.open(path.join(ws, 'a.simpo.yaml'), 'model_name_or_path: org/m\ndataset: org/d\nbeta: 0\n');
    const d = await client.diagnostics(uri);
    assert.deepEqual(d.filter((x) => x.severity === 1).map((x) => [x.code, x.range.start.line, x.range.start.character]), [['out-of-range', 2, 6]]);
  } finally {
    await client.shutdown();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
