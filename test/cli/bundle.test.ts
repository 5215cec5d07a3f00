// The `simpo` bin as shipped: main.ts bundled by esbuild the way scripts/build.mjs does (CommonJS, onnxruntime-node
// external, trainer-worker.js beside it), run as a plain `node cli.js` with no tsx: the lazily loaded subcommands
// resolve inside the bundle and a tiny run trains to completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { ROOT, tinyExperiment, tmp } from './helpers';

test('bundled cli.js: --version, runs, and train a tiny model', async () => {
  const out = path.join(tmp('simpo-bundle-'), 'out');
  await esbuild.build({
    entryPoints: { cli: path.join(ROOT, 'server/cli/main.ts'), 'trainer-worker': path.join(ROOT, 'server/train/worker.ts') },
    outdir: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['onnxruntime-node'],
    logLevel: 'error',
  });
  const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), NODE_OPTIONS: '' };
  const run = (args: string[], cwd: string) => spawnSync(process.execPath, [path.join(out, 'cli.js'), ...args], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(run(['--version'], ROOT).stdout, `${pkg.version}\n`);
  const e = tinyExperiment({ steps: 2 });
  assert.match(run(['runs'], e.dir).stdout, /^no runs in /);
  const r = run(['train', e.config], e.dir);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^run \S+ completed \(2\/2 steps\); model: /m);
  const list = run(['runs'], e.dir);
  assert.match(list.stdout.split('\n')[1], /\stiny\s+completed\s+2\/2\s/);
});
