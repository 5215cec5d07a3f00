// The language server as a real process over stdio: which documents it validates, diagnostics at exact ranges on
// open/change/close, hover, completion, code actions (applied and re-validated), settings from the client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, tempWorkspace, writeModelAndData, find, type Diag } from './helpers';

interface TextEdit { range: Diag['range']; newText: string }
interface CodeAction { title: string; kind: string; edit: { changes: Record<string, TextEdit[]> }; diagnostics: Diag[] }
interface CompletionItem { label: string; textEdit?: TextEdit; detail?: string }
interface Hover { contents: { kind: string; value: string }; range: Diag['range'] }

function applyEdits(text: string, edits: TextEdit[]): string {
  const offset = (p: { line: number; character: number }) => {
    const lines = text.split('\n');
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

const codes = (d: Diag[]) => d.map((x) => x.code);

let ws: string;
let client: LspClient;

before(async () => {
  ws = tempWorkspace();
  writeModelAndData(ws);
  client = new LspClient({ workspace: ws });
  const init = await client.initialize();
  assert.equal((init.capabilities as { textDocumentSync: number }).textDocumentSync, 2, 'incremental sync');
});

after(async () => {
  await client.shutdown();
  fs.rmSync(ws, { recursive: true, force: true });
});

test('configs by glob or content get diagnostics at exact ranges; other YAML is left alone', async () => {
  const other = await client.open(path.join(ws, 'docker-compose.yaml'), 'services:\n  web:\n    image: nginx\nnot_a_key: 1\n');
  const text = 'model_name_or_path: ./model\ndataset: data/train.jsonl\nbeta: -3\nlearning_rate: fast\nloss_type: sigmoidd\nbta: 2\n';
  const uri = await client.open(path.join(ws, 'run.simpo.yaml'), text);
  const d = await client.diagnostics(uri);
  assert.deepEqual(codes(d).filter((c) => c !== 'effective-batch').sort(), ['bad-enum', 'out-of-range', 'unknown-key', 'wrong-type']);
  assert.deepEqual(d.find((x) => x.code === 'out-of-range')!.range, { start: find(text, '-3'), end: { line: 2, character: 8 } });
  assert.deepEqual(d.find((x) => x.code === 'wrong-type')!.range.start, find(text, 'fast'));
  assert.deepEqual(d.find((x) => x.code === 'bad-enum')!.range.start, find(text, 'sigmoidd'));
  assert.deepEqual(d.find((x) => x.code === 'unknown-key')!.range, { start: { line: 5, character: 0 }, end: { line: 5, character: 3 } });
  assert.ok(d.every((x) => x.source === 'simpo'));
  assert.equal(d.find((x) => x.code === 'out-of-range')!.severity, 1);

  // under training_configs/ (the reference repository's layout) and by content
  fs.mkdirSync(path.join(ws, 'training_configs'), { recursive: true });
  const tc = await client.open(path.join(ws, 'training_configs', 'x.yaml'), 'model_name_or_path: ./model\ndataset: data/train.jsonl\nbeta: 0\n');
  assert.ok(codes(await client.diagnostics(tc)).includes('out-of-range'));
  const sniffed = await client.open(path.join(ws, 'experiment.yaml'), 'model_name_or_path: ./model\ndataset: data/train.jsonl\nbeta: 2.5\nlearning_rate: 1e-4\n');
  assert.ok(codes(await client.diagnostics(sniffed)).includes('paper-lr'));
  assert.equal(client.published.filter((p) => p.uri === other && p.diagnostics.length).length, 0, 'docker-compose.yaml gets no diagnostics');
  for (const u of [other, tc, sniffed]) await client.close(u);
});

test('incremental changes re-validate; fixing the error clears it; close clears diagnostics', async () => {
  const text = 'model_name_or_path: ./model\ndataset: data/train.jsonl\nbeta: 2.5\n';
  const file = path.join(ws, 'edit.simpo.yaml');
  const uri = await client.open(file, text);
  assert.deepEqual((await client.diagnostics(uri)).filter((x) => x.severity! <= 2), []);
  // replace "2.5" by "-1"
  const since = client.published.length;
  const v2 = await client.change(uri, [{ range: { start: { line: 2, character: 6 }, end: { line: 2, character: 9 } }, text: '-1' }]);
  const d2 = await client.diagnostics(uri, { since, version: v2 });
  assert.deepEqual(d2.map((x) => [x.code, x.range.start.line, x.range.start.character, x.range.end.character]), [['out-of-range', 2, 6, 8]]);
  // several quick edits: the last version wins
  let v = v2;
  for (const ch of ['1', '10', '2.0']) v = await client.change(uri, [{ range: { start: { line: 2, character: 6 }, end: { line: 2, character: 6 + (ch === '1' ? 2 : ch === '10' ? 1 : 2) } }, text: ch }]);
  const d3 = await client.diagnostics(uri, { version: v });
  assert.deepEqual(d3.filter((x) => x.severity! <= 2), [], JSON.stringify(d3));
  // a new line with an alias
  const v4 = await client.change(uri, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: 'simpo_gamma: 1.0\n' }]);
  const d4 = await client.diagnostics(uri, { version: v4 });
  assert.deepEqual(d4.find((x) => x.code === 'alias')!.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 11 } });
  const since5 = client.published.length;
  await client.close(uri);
  assert.deepEqual(await client.diagnostics(uri, { since: since5 }), []);
});

test('hover: doc, default, range and the paper\'s values; aliases explained', async () => {
  const text = 'model_name_or_path: ./model\ndataset: data/train.jsonl\nbeta: 2.5\ngamma_beta_ratio: 0.5\nsimpo_gamma: 1.0\nbf16: true\n';
  const uri = await client.open(path.join(ws, 'hover.simpo.yaml'), text);
  await client.diagnostics(uri);
  const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 2 } });
  assert.equal(h.contents.kind, 'markdown');
  assert.match(h.contents.value, /\*\*beta\*\*/);
  assert.match(h.contents.value, /default: simpo: `2`, dpo: `0.1`/);
  assert.match(h.contents.value, /range: > 0/);
  assert.match(h.contents.value, /Llama-3-8B instruct: 2.5/);
  assert.deepEqual(h.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } });
  const g = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 19 } });
  assert.match(g.contents.value, /γ = 1\.25/);
  const a = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 3 } });
  assert.match(a.contents.value, /converted to `gamma_beta_ratio`/);
  assert.match(a.contents.value, /gamma_beta_ratio: 0\.4/);
  const pv = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 12 } });
  assert.ok(pv.contents.value.startsWith(`\`data/train.jsonl\` → \`${path.join(ws, 'data', 'train.jsonl')}\` (a file, `), pv.contents.value);
  const ne = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 1 } });
  assert.match(ne.contents.value, /no effect here/);
  await client.close(uri);
});

test('completion: keys with default snippets, enum values, model and dataset paths', async () => {
  const text = 'model_name_or_path: ./\ndataset: data/\nloss_type: \nbeta: 2\n\nlearning_rate: \n';
  const uri = await client.open(path.join(ws, 'complete.simpo.yaml'), text);
  const keys = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 0 } });
  const labels = keys.map((k) => k.label);
  assert.ok(labels.includes('gamma_beta_ratio') && labels.includes('seed'));
  assert.ok(!labels.includes('beta'), 'keys already present are not offered');
  assert.ok(!labels.includes('bf16'), 'no-effect keys are not offered');
  assert.equal(keys.find((k) => k.label === 'gamma_beta_ratio')!.textEdit!.newText, 'gamma_beta_ratio: ${1:0.25}');
  assert.equal(keys.find((k) => k.label === 'loss_type') === undefined, true);
  const enums = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 11 } });
  assert.deepEqual(enums.map((e) => e.label), ['sigmoid', 'hinge']);
  const lrs = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 15 } });
  assert.deepEqual(lrs.map((x) => [x.label, x.detail]), [['1e-6', 'default'], ['3e-7', 'paper: Mistral-7B base'], ['5e-7', 'paper: Mistral-7B instruct'], ['6e-7', 'paper: Llama-3-8B base'], ['8e-7', 'paper: Gemma-2-9B instruct']]);
  const models = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 22 } });
  const m = models.find((x) => x.label === 'model')!;
  assert.equal(m.detail, 'model folder');
  assert.ok(!models.some((x) => x.label.endsWith('.jsonl')), 'no data files for a model key');
  const data = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 14 } });
  assert.deepEqual(data.map((x) => x.label), ['train.jsonl']);
  await client.close(uri);
});

test('code actions: rename, clamp and alias conversion edits that fix the finding', async () => {
  const text = 'model_name_or_path: ./model\ndataset: data/train.jsonl\nbeta: 2.0\nlearning_rat: 1e-6\nwarmup_ratio: 1.5\nsimpo_gamma: 1.0\nloss_type: simpo\n';
  const file = path.join(ws, 'fix.simpo.yaml');
  const uri = await client.open(file, text);
  const d = await client.diagnostics(uri);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } }, context: { diagnostics: d } });
  const titles = actions.map((a) => a.title).sort();
  assert.deepEqual(titles, ['Clamp warmup_ratio to 1', 'Convert to algorithm: "simpo", loss_type: "sigmoid"', 'Convert to gamma_beta_ratio: 0.5', 'Rename to learning_rate']);
  let fixed = text;
  // apply one at a time, each against the text it was computed for
  for (const title of titles) {
    const since = client.published.length;
    const v = await client.change(uri, [{ text: fixed }]);
    const dd = await client.diagnostics(uri, { since, version: v });
    const acts = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, context: { diagnostics: dd } });
    const act = acts.find((a) => a.title === title)!;
    assert.ok(act, `${title} offered again`);
    assert.equal(act.kind, 'quickfix');
    fixed = applyEdits(fixed, act.edit.changes[uri]);
  }
  assert.equal(fixed, 'model_name_or_path: ./model\ndataset: data/train.jsonl\nbeta: 2.0\nlearning_rate: 1e-6\nwarmup_ratio: 1\ngamma_beta_ratio: 0.5\nalgorithm: simpo\nloss_type: sigmoid\n');
  const since = client.published.length;
  const v = await client.change(uri, [{ text: fixed }]);
  assert.deepEqual((await client.diagnostics(uri, { since, version: v })).filter((x) => x.severity! <= 2), []);
  await client.close(uri);
});
