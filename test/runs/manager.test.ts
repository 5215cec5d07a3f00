import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { RunManager } from '../../server/runs/manager';
import { createRunDir, readRunInfo, updateRunInfo, JsonlAppender, isPidAlive } from '../../server/runs/run-dir';
import { MetricsTail } from '../../server/runs/metrics-tail';
import { processStartTime } from '../../server/runs/control';
import type { MetricsAppendedParams, RunSummary } from '../../server/protocol/lsp';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-manager-'));
}

function manager(runsDir: string): RunManager {
  return new RunManager({ runsDir, cliPath: path.resolve('out/cli.js'), pollMs: 100 });
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs a Node snippet in a separate process (a real writer, not this test's own process). */
function nodeSync(code: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, ['-e', code, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test('list: newest first, last train and eval metrics, hyperparameters from config.yaml', () => {
  const runs = tmp();
  const a = createRunDir(runs, { name: 'alpha', device: 'cpu', id: '20260101-000000-alpha-0001', status: 'completed' });
  const b = createRunDir(runs, { name: 'beta', device: 'cpu', id: '20260102-000000-beta-0002', status: 'completed' });
  const w = new JsonlAppender(path.join(b.dir, 'metrics.jsonl'));
  w.append({ step: 1, epoch: 0.1, time: 1, loss: 0.9, 'rewards/accuracies': 0.5 });
  w.append({ step: 2, epoch: 0.2, time: 2, eval_loss: 0.8, 'eval_rewards/accuracies': 0.6 });
  w.append({ step: 2, epoch: 0.2, time: 3, loss: 0.7, 'rewards/accuracies': 0.75 });
  w.close();
  fs.writeFileSync(path.join(b.dir, 'config.yaml'),
    'algorithm: simpo\nbeta: 2.5\ngamma_beta_ratio: 0.5\nlearning_rate: 1.0e-6\nper_device_train_batch_size: 4\n' +
    'gradient_accumulation_steps: 8\nmodel_name_or_path: ./tiny\n');
  const m = manager(runs);
  const list = m.list();
  assert.deepEqual(list.map((r) => r.id), [b.id, a.id]);
  assert.equal(list[0].runDir, b.dir);
  assert.equal(list[0].last?.loss, 0.7);
  assert.equal(list[0].lastEval?.eval_loss, 0.8);
  assert.deepEqual(list[0].hyper, {
    algorithm: 'simpo', beta: 2.5, gamma_beta_ratio: 0.5, learning_rate: 1e-6, per_device_train_batch_size: 4,
    gradient_accumulation_steps: 8, effective_batch_size: 32, model: './tiny',
  });
  assert.equal(list[1].last, undefined);
  assert.deepEqual(m.metrics(b.id).lines.map((l) => l.step), [1, 2, 2]);
  assert.deepEqual(m.metrics(b.id, 2), { id: b.id, lines: [list[0].last], next: 3 });
  assert.throws(() => m.metrics('../etc'), /not a run id/);
  assert.throws(() => m.metrics('nope'), /no run "nope"/);
  m.dispose();
});

test('a run dir created by another process appears through watch()', async () => {
  const runs = tmp();
  const m = manager(runs); // the runs dir does not even exist yet
  const seen: RunSummary[][] = [];
  m.onChanged((l) => seen.push(l));
  m.watch();
  assert.deepEqual(m.list(), []);
  nodeSync(`
    const fs = require('fs'), path = require('path');
    const dir = path.join(process.argv[1], '20260301-000000-other-abcd');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: '20260301-000000-other-abcd', name: 'other',
      status: 'completed', engine: 'onnxruntime-node', device: 'cpu', created: new Date().toISOString(), totalSteps: 3 }));
  `, runs);
  const list = await until('the new run', () => seen.find((l) => l.length === 1));
  assert.equal(list[0].name, 'other');
  assert.equal(list[0].status, 'completed');
  m.dispose();
});

test('a running run whose pid is gone is marked failed; a live one is left alone', async () => {
  const runs = tmp();
  const dead = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(isPidAlive(dead.pid), false);
  const r1 = createRunDir(runs, { name: 'crashed', device: 'cpu', status: 'running', id: '20260101-000000-crashed-0001' });
  updateRunInfo(r1.dir, { pid: dead.pid, started: new Date().toISOString() });
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    const r2 = createRunDir(runs, { name: 'alive', device: 'cpu', status: 'running', id: '20260101-000000-alive-0002' });
    updateRunInfo(r2.dir, { pid: live.pid });
    // queued without a pid: a fresh one is waiting for its trainer, an old one never got one
    const r3 = createRunDir(runs, { name: 'fresh', device: 'cpu', id: '20260101-000000-fresh-0003' });
    const r4 = createRunDir(runs, { name: 'stale', device: 'cpu', id: '20260101-000000-stale-0004' });
    updateRunInfo(r4.dir, { created: new Date(Date.now() - 10 * 60_000).toISOString() });
    const m = manager(runs);
    const byName = Object.fromEntries(m.list().map((r) => [r.name, r]));
    assert.equal(byName.crashed.status, 'failed');
    assert.equal(byName.crashed.error, `trainer process exited unexpectedly (pid ${dead.pid})`);
    assert.ok(byName.crashed.ended);
    assert.equal(readRunInfo(r1.dir).status, 'failed'); // written to disk, not only reported
    assert.equal(byName.alive.status, 'running');
    assert.equal(byName.fresh.status, 'queued');
    assert.equal(byName.stale.status, 'failed');
    assert.match(byName.stale.error ?? '', /trainer never started/);
    // delete refuses the live run, accepts the failed one
    await assert.rejects(m.delete(r2.id), /is running; stop it before deleting it/);
    assert.ok(fs.existsSync(r2.dir));
    await m.delete(r1.id);
    assert.equal(fs.existsSync(r1.dir), false);
    assert.deepEqual(m.list().map((r) => r.name), ['stale', 'fresh', 'alive']);
    // the live process ends: the next look marks the run failed
    live.kill('SIGKILL');
    await until('the process to exit', () => live.exitCode !== null || live.signalCode !== null);
    assert.equal(m.list().find((r) => r.name === 'alive')?.status, 'failed');
    m.dispose();
  } finally {
    live.kill('SIGKILL');
  }
});

test('metrics are tailed incrementally: only new lines, and a partial line only once complete', async () => {
  const runs = tmp();
  const r = createRunDir(runs, { name: 'tail', device: 'cpu', status: 'completed' });
  const file = path.join(r.dir, 'metrics.jsonl');
  fs.writeFileSync(file, '{"step":1,"epoch":0,"time":1,"loss":1}\n');
  const m = manager(runs);
  const got: MetricsAppendedParams[] = [];
  m.onMetrics((p) => got.push(p));
  m.watch(); // the existing line is the baseline: not pushed
  const append = (text: string) => nodeSync(`require('fs').appendFileSync(process.argv[1], process.argv[2])`, file, text);
  append('{"step":2,"epoch":0,"time":2,"loss":0.5}\n{"step":3,"epoch":0,"time":3,"lo');
  await until('step 2', () => got.length >= 1);
  await new Promise((res) => setTimeout(res, 300)); // a few polls: the partial line must not come out
  assert.deepEqual(got, [{ id: r.id, from: 1, lines: [{ step: 2, epoch: 0, time: 2, loss: 0.5 }] }]);
  append('ss":0.25}\n');
  await until('step 3', () => got.length >= 2);
  assert.deepEqual(got[1], { id: r.id, from: 2, lines: [{ step: 3, epoch: 0, time: 3, loss: 0.25 }] });
  assert.equal(m.list()[0].last?.loss, 0.25);
  m.dispose();
});

test('MetricsTail keeps line indexes across malformed lines and split UTF-8', () => {
  const dir = tmp();
  const file = path.join(dir, 'metrics.jsonl');
  const t = new MetricsTail(file);
  assert.deepEqual(t.read(), { from: 0, lines: [], next: 0 });
  const line = Buffer.from('{"step":1,"note":"é"}\n');
  fs.writeFileSync(file, Buffer.concat([Buffer.from('garbage\n\n'), line.subarray(0, 17)]));
  assert.deepEqual(t.read(), { from: 0, lines: [], next: 2 });
  fs.appendFileSync(file, line.subarray(17));
  assert.deepEqual(t.read(), { from: 2, lines: [{ step: 1, note: 'é' }], next: 3 });
});

test('start refuses a missing or unparsable config before creating a run', async () => {
  const runs = tmp();
  const m = manager(runs);
  await assert.rejects(m.start({ configPath: path.join(runs, 'nope.yaml') }), /config not found: .*nope\.yaml/);
  const bad = path.join(runs, 'bad.yaml');
  fs.writeFileSync(bad, 'beta: 2\n  gamma: [\n');
  await assert.rejects(m.start({ configPath: bad }), /bad\.yaml:1:7: Nested mappings are not allowed in compact mappings$/);
  const list = path.join(runs, 'list.yaml');
  fs.writeFileSync(list, '- 1\n- 2\n');
  await assert.rejects(m.start({ configPath: list }), /must be a YAML mapping/);
  const ok = path.join(runs, 'ok.yaml');
  fs.writeFileSync(ok, 'beta: 2\n');
  await assert.rejects(m.start({ configPath: ok, dataset: path.join(runs, 'missing.jsonl') }), /dataset not found/);
  assert.deepEqual(m.list(), []);
  m.dispose();
});

test('start spawns a detached trainer; one that dies before recording a pid marks the run failed', async () => {
  const runs = tmp();
  const config = path.join(runs, 'exp.simpo.yaml');
  fs.writeFileSync(config, 'algorithm: dpo\ndevice: cpu\nbeta: 0.1\n');
  // a "CLI" that is not there: node exits with code 1 at once, the real way a broken install would fail
  const m = new RunManager({ runsDir: runs, cliPath: path.join(runs, 'missing-cli.js'), pollMs: 100 });
  const changes: RunSummary[][] = [];
  m.onChanged((l) => changes.push(l));
  m.watch();
  const { run, runDir } = await m.start({ configPath: config });
  assert.equal(run.status, 'queued');
  assert.equal(run.name, 'exp');
  assert.equal(run.algorithm, 'dpo');
  assert.equal(run.configPath, config);
  assert.equal(path.dirname(runDir), runs);
  const failed = await until('the run to be marked failed', () => changes.flat().find((r) => r.id === run.id && r.status === 'failed'));
  assert.match(failed.error ?? '', /^trainer process exited with code 1 before it started the run \(pid \d+; see trainer\.out\)$/);
  assert.match(fs.readFileSync(path.join(runDir, 'trainer.out'), 'utf8'), /Cannot find module/);
  assert.equal(readRunInfo(runDir).status, 'failed');
  assert.deepEqual(failed.hyper, { algorithm: 'dpo', beta: 0.1, device: 'cpu' });
  m.dispose();
});

test('an idle runs dir fires nothing; a status change fires once with the new list', async () => {
  const runs = tmp();
  const r = createRunDir(runs, { name: 'idle', device: 'cpu', status: 'completed' });
  createRunDir(runs, { name: 'unreadable', device: 'cpu' });
  const broken = createRunDir(runs, { name: 'broken', device: 'cpu' });
  fs.writeFileSync(path.join(broken.dir, 'run.json'), '{"id": '); // a run.json being written: skipped, not fatal
  const m = new RunManager({ runsDir: runs, cliPath: 'unused', pollMs: 20 });
  const changes: RunSummary[][] = [];
  m.onChanged((l) => changes.push(l));
  m.watch();
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(changes.length, 0);
  updateRunInfo(r.dir, { name: 'renamed' });
  const l = await until('the change', () => changes[0]);
  assert.ok(l.some((x) => x.name === 'renamed'));
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(changes.length, 1);
  m.dispose();
});

test('a pid now used by a process that started after the run did is not its trainer (Linux)', { skip: process.platform !== 'linux' }, async () => {
  const runs = tmp();
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    await until('the process to start', () => processStartTime(live.pid!) !== undefined);
    const reused = createRunDir(runs, { name: 'reused', device: 'cpu', status: 'running', id: '20260101-000000-reused-0001' });
    updateRunInfo(reused.dir, { pid: live.pid, started: new Date(Date.now() - 3600_000).toISOString() });
    const genuine = createRunDir(runs, { name: 'genuine', device: 'cpu', status: 'running', id: '20260101-000000-genuine-0002' });
    updateRunInfo(genuine.dir, { pid: live.pid, started: new Date().toISOString() });
    const m = manager(runs);
    const byName = Object.fromEntries(m.list().map((r) => [r.name, r]));
    assert.equal(byName.genuine.status, 'running');
    assert.equal(byName.reused.status, 'failed');
    assert.match(byName.reused.error ?? '', new RegExp(`^trainer process exited unexpectedly \\(pid ${live.pid} now belongs to a process started `));
    m.dispose();
  } finally {
    live.kill('SIGKILL');
  }
});
