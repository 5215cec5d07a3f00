// Models and datasets created or changed on disk re-validate the open configs (file watchers registered with the
// client; the path-check cache notices the change by stat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, tempWorkspace, writeModelAndData } from './helpers';

test('a model folder appearing on disk clears path-missing after the watcher fires', async () => {
  const ws = tempWorkspace();
  const client = new LspClient({ workspace: ws, watchFiles: true });
  try {
    await client.initialize();
    await client.waitFor(() => (client.registrations.includes('workspace/didChangeWatchedFiles') ? true : undefined));
    const uri = await client.open(path.join(ws, 'w.simpo.yaml'), 'model_name_or_path: ./model\ndataset: data/train.jsonl\n');
    const d1 = await client.diagnostics(uri);
    assert.deepEqual(d1.filter((d) => d.severity === 1).map((d) => [d.code, d.range.start.line]), [['path-missing', 0], ['path-missing', 1]]);
    writeModelAndData(ws);
    const since = client.published.length;
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(ws, 'model', 'config.json')).href, type: 1 }] });
    const d2 = await client.diagnostics(uri, { since });
    assert.deepEqual(d2.filter((d) => d.severity === 1), []);
    // the dataset turning bad is noticed the same way
    fs.writeFileSync(path.join(ws, 'data', 'train.jsonl'), '{"question": "no preference pair here"}\n');
    const since3 = client.published.length;
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(ws, 'data', 'train.jsonl')).href, type: 2 }] });
    const d3 = await client.diagnostics(uri, { since: since3 });
    assert.deepEqual(d3.filter((d) => d.severity === 1).map((d) => [d.code, d.range.start.line]), [['dataset-format', 1]]);
  } finally {
    await client.shutdown();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
