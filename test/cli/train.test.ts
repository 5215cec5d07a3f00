// `simpo train` end to end with the real trainer on a tiny random model: exit codes and messages for bad input,
// a run started by the run manager that completes, `simpo stop` (checkpoint + stopped), and a trainer killed with
// SIGKILL (every file still readable, the run marked failed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunManager } from '../../server/runs/manager';
import { isPidAlive, readJsonl, readRunInfo } from '../../server/runs/run-dir';
import type { MetricsAppendedParams, RunSummary } from '../../server/protocol/lsp';
import { CLI, NODE_ARGS, killTrainers, simpo, simpoAsync, tinyExperiment, until } from './helpers';

test('simpo train: one clear message and exit 1 for a missing config, a bad value, a missing dataset', () => {
  const e = tinyExperiment({ steps: 2 });
  const missing = simpo(['train', path.join(e.dir, 'nope.yaml')], { cwd: e.dir });
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, `simpo train: config not found: ${path.join(e.dir, 'nope.yaml')}\n`);

  const bad = path.join(e.dir, 'bad.simpo.yaml');
  fs.writeFileSync(bad, fs.readFileSync(e.config, 'utf8') + 'beta: -2\n');
  const r = simpo(['train', bad], { cwd: e.dir });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^simpo train: .*bad\.simpo\.yaml:\d+:7 error out-of-range `beta` must be/);
  assert.equal(r.stderr.trim().split('\n').length, 1);

  const noData = simpo(['train', e.config, '--dataset', 'missing.jsonl'], { cwd: e.dir });
  assert.equal(noData.status, 1);
  assert.equal(noData.stderr, `simpo train: dataset not found: ${path.join(e.dir, 'missing.jsonl')}\n`);

  const noCkpt = simpo(['train', e.config, '--resume', 'checkpoints/step-9'], { cwd: e.dir });
  assert.equal(noCkpt.status, 1);
  assert.equal(noCkpt.stderr, `simpo train: checkpoint not found: ${path.join(e.dir, 'checkpoints', 'step-9')}\n`);

  const cfgNoData = path.join(e.dir, 'nodata.simpo.yaml');
  fs.writeFileSync(cfgNoData, fs.readFileSync(e.config, 'utf8').replace('dataset: "pairs.jsonl"', 'dataset: "gone.jsonl"'));
  const r2 = simpo(['train', cfgNoData], { cwd: e.dir });
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /error path-missing dataset not found: .*gone\.jsonl\n$/);

  // a runs dir written in a config is not trusted to point anywhere; a flag is
  const escape = path.join(e.dir, 'escape.simpo.yaml');
  fs.writeFileSync(escape, fs.readFileSync(e.config, 'utf8') + 'runs_dir: ../../elsewhere\n');
  const r3 = simpo(['train', escape], { cwd: e.dir });
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /^simpo train: .*escape\.simpo\.yaml: runs_dir "\.\.\/\.\.\/elsewhere" resolves to .*, outside the workspace .*; pass --runs-dir to choose it explicitly\n$/);

  const usage = simpo(['train'], { cwd: e.dir });
  assert.equal(usage.status, 1);
  assert.match(usage.stderr, /^simpo train: missing argument\n\n.*usage:/s);
  for (const out of [missing, r, noData, r2, r3]) assert.doesNotMatch(out.stderr + out.stdout, /\n\s+at /);
  assert.equal(fs.existsSync(path.join(e.dir, '.simpo')), false); // no run was created for bad input
});

test('simpo train in a pipe: plain log lines, a completed run, exit 0', () => {
  const e = tinyExperiment({ steps: 2 });
  const r = simpo(['train', e.config, '--name', 'piped'], { cwd: e.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^step 1\/2 {2}loss /m);
  assert.doesNotMatch(r.stdout + r.stderr, /\r/);
  const m = /^run (\S+) completed \(2\/2 steps\); model: (.+)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(fs.existsSync(path.join(m[2], 'model.safetensors')));
  const list = simpo(['runs', '--json'], { cwd: e.dir });
  const runs = JSON.parse(list.stdout) as RunSummary[];
  assert.equal(runs.length, 1);
  assert.equal(runs[0].name, 'piped');
  assert.equal(runs[0].status, 'completed');
  assert.equal(runs[0].last?.step, 2);
});

function manager(runsDir: string): RunManager {
  return new RunManager({ runsDir, cliPath: CLI, nodeArgs: NODE_ARGS, pollMs: 100 });
}

test('the run manager starts a detached trainer that completes; metrics are pushed as they land', async () => {
  const e = tinyExperiment({ steps: 3 });
  const m = manager(path.join(e.dir, 'runs'));
  const seen: RunSummary[][] = [];
  const pushed: MetricsAppendedParams[] = [];
  m.onChanged((l) => seen.push(l));
  m.onMetrics((p) => pushed.push(p));
  m.watch();
  const { run, runDir } = await m.start({ configPath: e.config, name: 'managed' });
  assert.equal(run.status, 'queued');
  const done = await until('the run to complete', () => m.list().find((r) => r.id === run.id && !['queued', 'running'].includes(r.status)), 240_000);
  assert.equal(done.status, 'completed', `${done.error ?? ''}\n${fs.readFileSync(path.join(runDir, 'trainer.out'), 'utf8')}`);
  assert.equal(done.name, 'managed');
  assert.equal(done.last?.step, 3);
  assert.equal(done.hyper?.beta, 2);
  assert.ok(seen.flat().some((r) => r.id === run.id && r.status === 'running'));
  await until('all metrics pushed', () => pushed.flatMap((p) => p.lines).length >= 3);
  assert.deepEqual(pushed.flatMap((p) => p.lines).map((l) => l.step), [1, 2, 3]);
  assert.equal(pushed[0].from, 0);
  assert.ok(fs.existsSync(path.join(runDir, 'final', 'model.safetensors')));
  m.dispose();
});

test('simpo stop: the trainer checkpoints, the run is stopped; SIGKILL leaves readable files and a failed run', async (t) => {
  const e = tinyExperiment({ steps: 5000 });
  const runsDir = path.join(e.dir, '.simpo', 'runs');
  t.after(() => killTrainers(runsDir));
  const m = manager(runsDir);
  const a = await m.start({ configPath: e.config, name: 'to-stop' });
  const b = await m.start({ configPath: e.config, name: 'to-kill' });
  const stepOf = (dir: string) => readJsonl(path.join(dir, 'metrics.jsonl')).lines.length;
  await until('both runs to train a few steps', () => stepOf(a.runDir) >= 2 && stepOf(b.runDir) >= 2, 240_000);

  const stop = simpo(['stop', 'to-stop'], { cwd: e.dir });
  assert.equal(stop.status, 0, stop.stderr);
  const stopped = readRunInfo(a.runDir);
  assert.equal(stopped.status, 'stopped');
  const ckpt = path.join(a.runDir, 'checkpoints', `step-${stopped.step}`);
  assert.match(stop.stdout, new RegExp(`stopped at step ${stopped.step}/5000; checkpoint: ${ckpt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
  assert.ok(fs.existsSync(path.join(ckpt, 'model.safetensors')));
  assert.match(fs.readFileSync(path.join(a.runDir, 'trainer.out'), 'utf8'), /SIGTERM received/);

  const pid = readRunInfo(b.runDir).pid!;
  assert.ok(isPidAlive(pid));
  process.kill(pid, 'SIGKILL');
  await until('the trainer to die', () => !isPidAlive(pid));
  const metrics = readJsonl(path.join(b.runDir, 'metrics.jsonl'));
  assert.deepEqual(metrics.bad, []);
  assert.ok(metrics.lines.length >= 2);
  // the manager that spawned it may already have seen its child exit and marked it; otherwise list() does
  assert.ok(['running', 'failed'].includes(readRunInfo(b.runDir).status));
  const killed = m.list().find((r) => r.id === b.run.id)!;
  assert.equal(killed.status, 'failed');
  assert.equal(killed.error, `trainer process exited unexpectedly (pid ${pid})`);
  assert.equal(readRunInfo(b.runDir).status, 'failed');
  m.dispose();
});

test('simpo train: exit 2 with the reason when training fails (non-finite loss)', () => {
  const e = tinyExperiment({ steps: 3, poison: true });
  const r = simpo(['train', e.config], { cwd: e.dir });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^simpo train: run \S+ failed: loss is NaN at step 1 \(no finite step before it\); lower learning_rate/m);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

/** Waits until `simpo train` (started in `cwd`) has logged its first step; returns its run directory. */
function firstLoggedStep(cwd: string, p: ReturnType<typeof simpoAsync>): Promise<string> {
  const runsDir = path.join(cwd, '.simpo', 'runs');
  return until('the first logged step', () => {
    const d = fs.existsSync(runsDir) ? fs.readdirSync(runsDir).map((n) => path.join(runsDir, n))[0] : undefined;
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`simpo train exited early:\n${p.output()}`);
    return d && readJsonl(path.join(d, 'metrics.jsonl')).lines.length >= 1 ? d : undefined;
  }, 240_000);
}

test('simpo train: Ctrl-C (SIGINT) checkpoints, marks the run stopped and exits 130', async (t) => {
  const e = tinyExperiment({ steps: 5000 });
  const p = simpoAsync(['train', e.config], { cwd: e.dir });
  t.after(() => { p.child.kill('SIGKILL'); });
  const runDir = await firstLoggedStep(e.dir, p);
  p.child.kill('SIGINT');
  const r = await p.done;
  assert.equal(r.status, 130, r.stdout + r.stderr);
  const info = readRunInfo(runDir);
  assert.equal(info.status, 'stopped');
  assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', `step-${info.step}`, 'model.safetensors')));
  assert.match(r.stdout, /stopping after saving a checkpoint \(Ctrl-C again to quit now\)/);
  assert.match(r.stdout, new RegExp(`run ${info.id} stopped at ${info.step}/5000 steps; resume with --resume `));
});

test('simpo train: a second Ctrl-C quits at once (killed by SIGINT: 130 in a shell); the run is then found failed', async (t) => {
  const e = tinyExperiment({ steps: 5000 });
  const p = simpoAsync(['train', e.config], { cwd: e.dir });
  t.after(() => { p.child.kill('SIGKILL'); });
  const runDir = await firstLoggedStep(e.dir, p);
  await until('the progress handler to be installed', () => /step 1\//.test(p.output()));
  p.child.kill('SIGINT');
  await until('the first Ctrl-C to be handled', () => /stopping after saving a checkpoint/.test(p.output()));
  p.child.kill('SIGINT'); // (two signals sent at once would merge into one)
  const r = await p.done;
  assert.equal(r.signal, 'SIGINT', r.stdout + r.stderr);
  assert.match(r.stderr, /simpo train: interrupted again; quitting without a checkpoint/);
  const m = manager(path.dirname(runDir));
  const run = m.list()[0];
  assert.equal(run.runDir, runDir);
  assert.equal(run.status, 'failed');
  assert.match(run.error ?? '', /^trainer process exited unexpectedly \(pid \d+\)$/);
  m.dispose();
});

test('the run manager: a run stopped right after it was started ends stopped, not failed', async (t) => {
  const e = tinyExperiment({ steps: 5000 });
  const runsDir = path.join(e.dir, 'runs');
  t.after(() => killTrainers(runsDir));
  const m = manager(runsDir);
  m.watch();
  const { run, runDir } = await m.start({ configPath: e.config });
  await m.stop(run.id); // the trainer is still starting (no pid recorded, or no handlers yet)
  const end = await until('the run to end', () => m.list().find((r) => r.id === run.id && r.status !== 'queued' && r.status !== 'running'), 240_000);
  assert.equal(end.status, 'stopped', `${end.error ?? ''}\n${fs.readFileSync(path.join(runDir, 'trainer.out'), 'utf8')}`);
  assert.equal(end.error, undefined);
  m.dispose();
});
