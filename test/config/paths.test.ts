// Model and dataset paths checked on disk: missing, device files, outside the workspace, model folder format,
// dataset layout (peeked through server/data), hub ids through the HF cache; results cached until files change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateText, PathCheckCache } from '../../server/config/validate';

function workspace(): string {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-paths-')));
  fs.mkdirSync(path.join(ws, 'model'));
  fs.writeFileSync(path.join(ws, 'model', 'config.json'), JSON.stringify({ model_type: 'llama' }));
  fs.writeFileSync(path.join(ws, 'model', 'model.safetensors'), Buffer.alloc(8));
  fs.writeFileSync(path.join(ws, 'model', 'tokenizer.json'), '{}');
  fs.mkdirSync(path.join(ws, 'data'));
  fs.writeFileSync(path.join(ws, 'data', 'train.jsonl'), '{"prompt":"p","chosen":"a","rejected":"b"}\n{"prompt":"q","chosen":"c","rejected":"d"}\n');
  return ws;
}

const codesAt = (r: Awaited<ReturnType<typeof validateText>>, line: number) =>
  r.findings.filter((f) => f.range.start.line === line && f.severity !== 'information').map((f) => f.code);

test('valid model folder and dataset: no path findings', async () => {
  const ws = workspace();
  const r = await validateText('model_name_or_path: ./model\ndataset: data/train.jsonl\n', path.join(ws, 'c.simpo.yaml'), { workspaceRoots: [ws] });
  assert.deepEqual(r.findings.filter((f) => f.severity !== 'information'), []);
  fs.rmSync(ws, { recursive: true, force: true });
});

test('missing, wrong-format, device and outside paths land on the value', async () => {
  const ws = workspace();
  fs.mkdirSync(path.join(ws, 'empty-model'));
  fs.writeFileSync(path.join(ws, 'data', 'notes.txt'), 'hello');
  fs.writeFileSync(path.join(ws, 'data', 'wrong.jsonl'), '{"question":"x","answer":"y"}\n');
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-outside-')));
  fs.writeFileSync(path.join(outside, 'x.jsonl'), '{"prompt":"p","chosen":"a","rejected":"b"}\n');
  const text = [
    'model_name_or_path: ./empty-model',   // 0 model-format
    'dataset: data/missing.jsonl',         // 1 path-missing
    'eval_dataset: data/notes.txt',        // 2 dataset-format
    'resume_from_checkpoint: /dev/null',   // 3 path-device
    '',
  ].join('\n');
  const file = path.join(ws, 'c.simpo.yaml');
  const r = await validateText(text, file, { workspaceRoots: [ws] });
  assert.deepEqual(codesAt(r, 0), ['model-format']);
  const mf = r.findings.find((f) => f.code === 'model-format')!;
  assert.deepEqual(mf.range, { start: { line: 0, character: 20 }, end: { line: 0, character: 33 } });
  assert.match(mf.message, /missing config\.json, model\.safetensors .*tokenizer\.json/);
  assert.deepEqual(codesAt(r, 1), ['path-missing']);
  assert.deepEqual(codesAt(r, 2), ['dataset-format']);
  assert.deepEqual(codesAt(r, 3), ['path-device']);

  const r2 = await validateText(`model_name_or_path: ./model\ndataset: ${path.join(outside, 'x.jsonl')}\neval_dataset: data/wrong.jsonl\n`, file, { workspaceRoots: [ws] });
  assert.deepEqual(codesAt(r2, 1), ['path-outside']);
  assert.equal(r2.findings.find((f) => f.code === 'path-outside')!.severity, 'warning');
  assert.deepEqual(codesAt(r2, 2), ['dataset-format'], 'unknown layout of the first rows');
  // without workspace roots (the CLI), a path outside is read like any other
  const r3 = await validateText(`model_name_or_path: ./model\ndataset: ${path.join(outside, 'x.jsonl')}\n`, file, {});
  assert.deepEqual(r3.findings.filter((f) => f.severity !== 'information'), []);
  fs.rmSync(ws, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

test('hub ids: information when not cached, checked in the HF cache when they are', async () => {
  const ws = workspace();
  const hub = fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-hub-'));
  const env = { HF_HUB_CACHE: hub };
  const file = path.join(ws, 'c.simpo.yaml');
  const r = await validateText('model_name_or_path: org/tiny\ndataset: data/train.jsonl\n', file, { env });
  const hid = r.findings.find((f) => f.code === 'hub-id')!;
  assert.equal(hid.severity, 'information');
  assert.match(hid.message, /resolved at run time/);
  // now put it in the cache, without weights: the cached copy is checked
  const snap = path.join(hub, 'models--org--tiny', 'snapshots', 'abc');
  fs.mkdirSync(snap, { recursive: true });
  fs.mkdirSync(path.join(hub, 'models--org--tiny', 'refs'));
  fs.writeFileSync(path.join(hub, 'models--org--tiny', 'refs', 'main'), 'abc');
  fs.writeFileSync(path.join(snap, 'config.json'), '{"model_type":"gpt2"}');
  fs.writeFileSync(path.join(snap, 'model.safetensors'), 'x');
  fs.writeFileSync(path.join(snap, 'tokenizer.json'), '{}');
  const r2 = await validateText('model_name_or_path: org/tiny\ndataset: data/train.jsonl\n', file, { env, cache: new PathCheckCache() });
  assert.match(r2.findings.find((f) => f.code === 'model-format')!.message, /model_type "gpt2" .* not supported/);
  fs.rmSync(ws, { recursive: true, force: true });
  fs.rmSync(hub, { recursive: true, force: true });
});

test('path results are cached and refreshed when the files change', async () => {
  const ws = workspace();
  const cache = new PathCheckCache();
  const file = path.join(ws, 'c.simpo.yaml');
  const text = 'model_name_or_path: ./model\ndataset: data/train.jsonl\n';
  const ok = await validateText(text, file, { cache });
  assert.equal(ok.findings.filter((f) => f.severity !== 'information').length, 0);
  assert.equal(cache.size, 2);
  fs.rmSync(path.join(ws, 'model', 'model.safetensors'));
  const broken = await validateText(text, file, { cache });
  assert.deepEqual(codesAt(broken, 0), ['model-format'], 'a removed weights file is noticed');
  fs.writeFileSync(path.join(ws, 'data', 'train.jsonl'), 'not json at all\n');
  const bad = await validateText(text, file, { cache });
  assert.ok(codesAt(bad, 1).length === 1, `dataset change noticed: ${JSON.stringify(bad.findings)}`);
  fs.rmSync(ws, { recursive: true, force: true });
});
