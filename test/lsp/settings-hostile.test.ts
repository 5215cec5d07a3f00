// Settings pulled per document with workspace/configuration (globs, paper warnings, no-effect keys) and pushed with
// didChangeConfiguration; hostile input (alias bomb, 10 MB, binary, deep nesting, device and outside paths)
// never stops the server: it answers afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, tempWorkspace, writeModelAndData, type Diag } from './helpers';

const codes = (d: Diag[]) => d.map((x) => String(x.code));

test('settings from workspace/configuration: globs, paperRecommendations, noEffectKeys; changes re-validate', async () => {
  const ws = tempWorkspace();
  writeModelAndData(ws);
  const client = new LspClient({ workspace: ws, settings: { configGlobs: ['**/*.train.yaml'], validation: { paperRecommendations: false, noEffectKeys: false } } });
  try {
    await client.initialize();
    const text = 'model_name_or_path: ./model\ndataset: data/train.jsonl\nlearning_rate: 1e-3\nbf16: true\nunknown_thing: 1\n';
    // "exp.train.yaml" matches the configured glob only (no beta key to sniff)
    const uri = await client.open(path.join(ws, 'exp.train.yaml'), text);
    const d = await client.diagnostics(uri);
    assert.ok(client.configRequests > 0, 'settings were pulled');
    assert.deepEqual(codes(d), ['unknown-key'], 'no paper-lr warning, no no-effect information');
    // the default globs no longer apply
    const plain = await client.open(path.join(ws, 'other.simpo.yaml'), 'model_name_or_path: ./model\nnope: 1\n');
    // settings change: the old `pitfalls` name; both globs
    client.settings = { configGlobs: ['**/*.train.yaml', '**/*.simpo.yaml'], validation: { pitfalls: true } };
    const since = client.published.length;
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { simpo: client.settings } });
    const d2 = await client.diagnostics(uri, { since });
    assert.ok(codes(d2).includes('paper-lr') && codes(d2).includes('no-effect'), JSON.stringify(d2));
    const p2 = await client.diagnostics(plain, { since });
    assert.ok(codes(p2).includes('unknown-key'), 'other.simpo.yaml is a config under the new globs');
    assert.equal(client.published.filter((p) => p.uri === plain).length, 1, 'nothing published for it before');
    // validation switched off: diagnostics cleared
    client.settings = { validation: { enabled: false } };
    const since3 = client.published.length;
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { simpo: client.settings } });
    assert.deepEqual(await client.diagnostics(uri, { since: since3 }), []);
  } finally {
    await client.shutdown();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('hostile input never stops the server', async () => {
  const ws = tempWorkspace();
  writeModelAndData(ws);
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-out-')));
  fs.writeFileSync(path.join(outside, 'd.jsonl'), '{"prompt":"p","chosen":"a","rejected":"b"}\n');
  const client = new LspClient({ workspace: ws });
  try {
    await client.initialize();
    let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (const n of 'bcdefghi') { bomb += `${n}: &${n} [${Array(9).fill('*' + prev).join(',')}]\n`; prev = n; }
    bomb += 'beta: *i\n';
    const cases: Array<[string, string, string]> = [
      ['bomb.simpo.yaml', bomb, 'yaml-alias'],
      ['big.simpo.yaml', 'beta: 2\n' + '# padding\n'.repeat(1024 * 1024), 'too-large'],
      ['binary.simpo.yaml', 'beta: 2\n\u0000\u0001\u0002\u00ff', 'binary'],
      ['deep.simpo.yaml', 'beta: ' + '['.repeat(30000) + '\n', 'too-deep'],
      ['deep2.simpo.yaml', Array.from({ length: 300 }, (_, i) => ' '.repeat(i) + 'k:').join('\n'), 'too-deep'],
      ['device.simpo.yaml', 'model_name_or_path: /dev/zero\ndataset: /dev/urandom\n', 'path-device'],
      ['outside.simpo.yaml', `model_name_or_path: ./model\ndataset: ${path.join(outside, 'd.jsonl')}\n`, 'path-outside'],
      ['escape.simpo.yaml', 'model_name_or_path: ./model\ndataset: ../../../../../../etc/passwd\n', 'path-outside'],
    ];
    for (const [name, text, code] of cases) {
      const uri = await client.open(path.join(ws, name), text);
      const d = await client.diagnostics(uri, { timeoutMs: 30000 });
      assert.ok(codes(d).includes(code), `${name}: ${code} in ${JSON.stringify(codes(d))}`);
      // the server still answers
      const h = await client.request<unknown>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
      assert.ok(h === null || typeof h === 'object');
      await client.close(uri);
    }
    const big = client.published.find((p) => p.uri.endsWith('big.simpo.yaml'))!;
    assert.equal(big.diagnostics.length, 1, 'one information diagnostic for a file over the size limit');
    assert.equal(big.diagnostics[0].severity, 3);
    // completion of paths never lists /dev
    const uri = await client.open(path.join(ws, 'dev.simpo.yaml'), 'model_name_or_path: /dev/\n');
    const items = await client.request<unknown[]>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 25 } });
    assert.deepEqual(items, []);
    // a requests for a document never opened, and garbage params, are answered
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: 'file:///nope.simpo.yaml' }, position: { line: 0, character: 0 } }), null);
    await assert.rejects(client.request('simpo/metrics', { id: 42 }));
    assert.equal(client.exited, false);
  } finally {
    await client.shutdown();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
