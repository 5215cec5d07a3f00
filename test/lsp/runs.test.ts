// The run methods over the real server process: list, metrics, runsChanged and metricsAppended pushed from the
// run directory on disk, startRun refused in an untrusted workspace and for a config with errors, and a clear
// error when the client gave no runs dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, ROOT, tempWorkspace } from './helpers';
import { createRunDir } from '../../server/runs/run-dir';
import { Methods, type RunSummary, type MetricsResult, type RunsChangedParams, type MetricsAppendedParams } from '../../server/protocol/lsp';
import { RUN_FILES } from '../../server/protocol/runs';

const CLI = path.join(ROOT, 'server', 'cli', 'main.ts');

test('listRuns, metrics, runsChanged and metricsAppended follow the runs dir', async () => {
  const ws = tempWorkspace();
  const runsDir = path.join(ws, '.simpo', 'runs');
  const client = new LspClient({ workspace: ws, initializationOptions: { runsDir, cliPath: CLI, nodeArgs: ['--import', 'tsx'], trusted: true } });
  try {
    await client.initialize();
    assert.deepEqual(await client.request<RunSummary[]>(Methods.listRuns, {}), []);
    const { id, dir } = createRunDir(runsDir, { name: 'cli-run', device: 'cpu', algorithm: 'simpo', status: 'running' });
    const metrics = path.join(dir, RUN_FILES.metrics);
    fs.writeFileSync(metrics, JSON.stringify({ step: 1, loss: 0.69, time: Date.now() }) + '\n');
    const changed = await client.waitFor(() => {
      const n = client.notifications.filter((x) => x.method === Methods.runsChanged).map((x) => x.params as RunsChangedParams);
      return n.find((p) => p.runs.some((r) => r.id === id));
    });
    assert.equal(changed.runs.find((r) => r.id === id)!.name, 'cli-run');
    const list = await client.request<RunSummary[]>(Methods.listRuns, {});
    assert.deepEqual(list.map((r) => r.id), [id]);
    const m = await client.request<MetricsResult>(Methods.metrics, { id, from: 0 });
    assert.deepEqual(m.lines.map((l) => l.loss), [0.69]);
    await client.request(Methods.subscribe, { id });
    fs.appendFileSync(metrics, JSON.stringify({ step: 2, loss: 0.5, time: Date.now() }) + '\n');
    const appended = await client.waitFor(() => client.notifications.filter((x) => x.method === Methods.metricsAppended).map((x) => x.params as MetricsAppendedParams).find((p) => p.id === id && p.lines.some((l) => l.step === 2)));
    assert.equal(appended.lines.find((l) => l.step === 2)!.loss, 0.5);
    // a config with errors is refused before any run starts, with the editor's messages
    const bad = path.join(ws, 'bad.simpo.yaml');
    fs.writeFileSync(bad, 'model_name_or_path: ./nope\ndataset: ./nope.jsonl\nbeta: -1\n');
    await assert.rejects(client.request(Methods.startRun, { configPath: bad }), (e: Error) => /bad\.simpo\.yaml:3:7 error out-of-range/.test(e.message) && /path-missing/.test(e.message));
    assert.equal((await client.request<RunSummary[]>(Methods.listRuns, {})).length, 1, 'no run created');
    await assert.rejects(client.request(Methods.stopRun, {}), /run id is required/);
  } finally {
    await client.shutdown();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('an untrusted workspace cannot start runs; no runs dir is a clear error', async () => {
  const ws = tempWorkspace();
  const restricted = new LspClient({ workspace: ws, initializationOptions: { runsDir: path.join(ws, 'runs'), cliPath: CLI, trusted: false } });
  const bare = new LspClient({ workspace: ws });
  try {
    await restricted.initialize();
    await bare.initialize();
    fs.writeFileSync(path.join(ws, 'ok.simpo.yaml'), 'model_name_or_path: org/m\ndataset: org/d\n');
    await assert.rejects(restricted.request(Methods.startRun, { configPath: path.join(ws, 'ok.simpo.yaml') }), /workspace is restricted/);
    assert.deepEqual(await restricted.request(Methods.listRuns, {}), [], 'listing works in Restricted Mode');
    await assert.rejects(bare.request(Methods.listRuns, {}), /no runs dir/);
    // validation still works in both
    const uri = await restricted.open(path.join(ws, 'ok.simpo.yaml'), 'model_name_or_path: org/m\ndataset: org/d\nbeta: 0\n');
    assert.ok((await restricted.diagnostics(uri)).some((d) => d.code === 'out-of-range'));
  } finally {
    await restricted.shutdown();
    await bare.shutdown();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
