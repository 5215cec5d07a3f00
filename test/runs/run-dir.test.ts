import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  createRunDir, readRunInfo, updateRunInfo, JsonlAppender, readJsonl, isPidAlive, listRunDirs, findRunDir, newRunId,
} from '../../server/runs/run-dir';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-rundir-'));
}

test('createRunDir writes a queued run.json and ids sort by time', () => {
  const runs = tmp();
  const a = createRunDir(runs, { name: 'My Run!', device: 'cpu', algorithm: 'simpo', totalSteps: 10 });
  assert.match(a.id, /^\d{8}-\d{6}-my-run-[0-9a-f]{4}$/);
  const info = readRunInfo(a.dir);
  assert.equal(info.status, 'queued');
  assert.equal(info.totalSteps, 10);
  assert.ok(newRunId('x', new Date(Date.UTC(2030, 0, 1))) > a.id);
  assert.throws(() => createRunDir(runs, { name: 'x', device: 'cpu', id: a.id }), /already exists/);
});

test('updateRunInfo patches atomically and drops undefined fields', () => {
  const runs = tmp();
  const { dir } = createRunDir(runs, { name: 'r', device: 'cpu' });
  updateRunInfo(dir, { status: 'running', pid: 123 });
  const info = updateRunInfo(dir, { pid: undefined, status: 'completed' });
  assert.equal(info.status, 'completed');
  assert.equal('pid' in readRunInfo(dir), false);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('readRunInfo names the file when it is broken', () => {
  const dir = tmp();
  assert.throws(() => readRunInfo(dir), /run\.json: cannot read/);
  fs.writeFileSync(path.join(dir, 'run.json'), '{"id": ');
  assert.throws(() => readRunInfo(dir), /run\.json: not valid JSON/);
  fs.writeFileSync(path.join(dir, 'run.json'), '[1]');
  assert.throws(() => readRunInfo(dir), /not a run record/);
});

test('readJsonl reads from a line index and ignores a partial last line', () => {
  const dir = tmp();
  const file = path.join(dir, 'metrics.jsonl');
  const w = new JsonlAppender(file);
  w.append({ step: 1, loss: 1 });
  w.append({ step: 2, loss: 0.5 });
  w.close();
  fs.appendFileSync(file, 'not json\n{"step": 3, "lo');
  const all = readJsonl(file);
  assert.deepEqual(all.lines, [{ step: 1, loss: 1 }, { step: 2, loss: 0.5 }]);
  assert.equal(all.next, 3);
  assert.deepEqual(all.bad.map((b) => b.line), [3]);
  fs.appendFileSync(file, 'ss": 0.25}\n');
  const rest = readJsonl(file, all.next);
  assert.deepEqual(rest.lines, [{ step: 3, loss: 0.25 }]);
  assert.equal(rest.next, 4);
  assert.deepEqual(readJsonl(path.join(dir, 'missing.jsonl')), { lines: [], next: 0, bad: [] });
});

test('isPidAlive tells a live process from a finished one', () => {
  assert.equal(isPidAlive(process.pid), true);
  const child = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(child.status, 0);
  assert.equal(isPidAlive(child.pid), false);
  assert.equal(isPidAlive(undefined), false);
});

test('listRunDirs lists newest first and findRunDir resolves ids, prefixes and names', () => {
  const runs = tmp();
  const a = createRunDir(runs, { name: 'alpha', device: 'cpu', id: '20260101-000000-alpha-0001' });
  const b = createRunDir(runs, { name: 'beta', device: 'cpu', id: '20260102-000000-beta-0002' });
  fs.mkdirSync(path.join(runs, 'not-a-run'));
  assert.deepEqual(listRunDirs(runs), [b.dir, a.dir]);
  assert.equal(findRunDir(runs, 'alpha'), a.dir);
  assert.equal(findRunDir(runs, '20260102'), b.dir);
  assert.throws(() => findRunDir(runs, '2026'), /matches 2 runs/);
  assert.throws(() => findRunDir(runs, 'gamma'), /no run "gamma"/);
  assert.deepEqual(listRunDirs(path.join(runs, 'nope')), []);
});
