import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRunDir, updateRunInfo, JsonlAppender, readRunInfo } from '../../server/runs/run-dir';
import { simpo, tmp } from './helpers';

test('--version, --help, no command, unknown command and unknown flag', () => {
  const v = simpo(['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const h = simpo(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage:/);
  const none = simpo([]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /usage:/);
  const unknown = simpo(['fly']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^simpo: unknown command "fly"\n/);
  assert.match(simpo(['constructor']).stderr, /^simpo: unknown command "constructor"/);
  const flag = simpo(['runs', '--bogus']);
  assert.equal(flag.status, 1);
  assert.match(flag.stderr, /^simpo runs: Unknown option '--bogus'/);
  assert.doesNotMatch(flag.stderr, /\n\s+at /); // no stack trace
  const demo = simpo(['demo', '--steps', '3']);
  assert.equal(demo.status, 1);
  assert.match(demo.stderr, /^simpo demo: Unknown option '--steps'/);
  for (const cmd of ['train', 'validate', 'runs', 'stop', 'delete', 'demo', 'lsp']) assert.match(h.stdout, new RegExp(`^  simpo ${cmd}\\b`, 'm'));
  const extra = simpo(['runs', 'x']);
  assert.equal(extra.status, 1);
  assert.match(extra.stderr, /unexpected argument "x"/);
});

test('simpo runs: a table newest first, --json, a dead trainer shown failed', () => {
  const cwd = tmp();
  const runs = path.join(cwd, '.simpo', 'runs');
  assert.match(simpo(['runs'], { cwd }).stdout, /^no runs in .*\.simpo[/\\]runs\n$/);
  const a = createRunDir(runs, { name: 'first', device: 'cpu', id: '20260101-000000-first-0001', status: 'completed', totalSteps: 10 });
  const w = new JsonlAppender(path.join(a.dir, 'metrics.jsonl'));
  w.append({ step: 10, epoch: 1, time: 1, loss: 0.123456, 'rewards/accuracies': 0.875 });
  w.close();
  const b = createRunDir(runs, { name: 'second', device: 'cpu', id: '20260102-000000-second-0002', status: 'running', totalSteps: 20 });
  const dead = spawnSync(process.execPath, ['-e', '0']);
  updateRunInfo(b.dir, { pid: dead.pid });
  const r = simpo(['runs'], { cwd });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^ID\s+NAME\s+STATUS\s+STEP\s+LOSS\s+ACCURACY\s+AGE$/);
  assert.match(lines[1], /^20260102-000000-second-0002\s+second\s+failed\s+0\/20\s+-\s+-\s+\d+[smhd] ago$/);
  assert.match(lines[2], /^20260101-000000-first-0001\s+first\s+completed\s+10\/10\s+0\.1235\s+0\.875\s+\d+[smhd] ago$/);
  assert.match(lines[3], new RegExp(`second-0002: trainer process exited unexpectedly \\(pid ${dead.pid}\\)`));
  const j = simpo(['runs', '--json', '--runs-dir', runs]);
  assert.equal(j.status, 0, j.stderr);
  const parsed = JSON.parse(j.stdout);
  assert.deepEqual(parsed.map((x: { id: string }) => x.id), [b.id, a.id]);
  assert.equal(parsed[1].last.loss, 0.123456);
});

test('simpo delete and stop refuse what they must, and name the run', async () => {
  const cwd = tmp();
  const runs = path.join(cwd, '.simpo', 'runs');
  const done = createRunDir(runs, { name: 'done', device: 'cpu', status: 'completed' });
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    const busy = createRunDir(runs, { name: 'busy', device: 'cpu', status: 'running' });
    updateRunInfo(busy.dir, { pid: live.pid });
    const refused = simpo(['delete', 'busy'], { cwd });
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, `simpo delete: run ${busy.id} is running; stop it before deleting it\n`);
    assert.ok(fs.existsSync(busy.dir));
    const missing = simpo(['delete', 'nothing'], { cwd });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^simpo delete: no run "nothing" in /);
    const notRunning = simpo(['stop', 'done'], { cwd });
    assert.equal(notRunning.status, 1);
    assert.equal(notRunning.stderr, `simpo stop: run ${done.id} is not running (status: completed)\n`);
    const ok = simpo(['delete', done.id], { cwd });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^deleted run ${done.id}`));
    assert.equal(fs.existsSync(done.dir), false);
    assert.equal(readRunInfo(busy.dir).status, 'running');
  } finally {
    live.kill('SIGKILL');
  }
});
