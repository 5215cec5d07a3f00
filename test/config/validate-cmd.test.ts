// `simpo validate`: text and --json output and exit codes, in-process and as a real process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runValidate } from '../../server/config/validate-cmd';

const ROOT = path.join(__dirname, '..', '..');

async function run(argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await runValidate(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function files() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-validate-'));
  const good = path.join(dir, 'good.simpo.yaml');
  fs.writeFileSync(good, 'model_name_or_path: org/model\ndataset: org/data\nbeta: 2.5\n');
  const bad = path.join(dir, 'bad.simpo.yaml');
  fs.writeFileSync(bad, 'model_name_or_path: org/model\ndataset: org/data\nbeta: -1\nbta: 2\n');
  return { dir, good, bad };
}

test('text output: file:line:col severity code message; exit 1 on errors, 0 otherwise', async () => {
  const { dir, good, bad } = files();
  const g = await run([good]);
  assert.equal(g.code, 0);
  assert.match(g.err, /no errors/);
  const b = await run([bad]);
  assert.equal(b.code, 1);
  const lines = b.out.split('\n');
  assert.ok(lines.includes(`${bad}:3:7 error out-of-range \`beta\` must be > 0; got -1`), b.out);
  assert.ok(lines.includes(`${bad}:4:1 error unknown-key unknown key \`bta\`: did you mean \`beta\`?`), b.out);
  assert.match(b.err, /^2 errors, 0 warnings$/);
  const q = await run([bad, '--quiet']);
  assert.ok(!q.out.includes('information'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--json: an array of {file, range, severity, code, message}; usage errors exit 1', async () => {
  const { dir, bad, good } = files();
  const j = await run([bad, good, '--json']);
  assert.equal(j.code, 1);
  const arr = JSON.parse(j.out) as Array<Record<string, unknown>>;
  const e = arr.find((f) => f.code === 'out-of-range')!;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'file', 'message', 'range', 'severity']);
  assert.deepEqual(e.range, { start: { line: 2, character: 6 }, end: { line: 2, character: 8 } });
  assert.equal(e.file, bad);
  assert.equal((await run([])).code, 1);
  assert.equal((await run([good, '--bogus'])).code, 1);
  const missing = await run([path.join(dir, 'nope.yaml'), '--json']);
  assert.equal(missing.code, 1);
  assert.equal((JSON.parse(missing.out) as Array<{ code: string }>)[0].code, 'unreadable');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('as a real process (through the CLI when it wires `validate`, else the module)', () => {
  const { dir, bad } = files();
  const main = fs.readFileSync(path.join(ROOT, 'server', 'cli', 'main.ts'), 'utf8');
  const args = main.includes('runValidate')
    ? ['--import', 'tsx', path.join(ROOT, 'server', 'cli', 'main.ts'), 'validate', bad, '--json']
    : ['--import', 'tsx', '-e', `require(${JSON.stringify(path.join(ROOT, 'server', 'config', 'validate-cmd.ts'))}).runValidate(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, bad, '--json'];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.ok((JSON.parse(r.stdout) as Array<{ code: string }>).some((f) => f.code === 'unknown-key'));
  fs.rmSync(dir, { recursive: true, force: true });
});
