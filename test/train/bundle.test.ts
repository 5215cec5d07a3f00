// The bundled trainer (as shipped: a CommonJS bundle with trainer-worker.js beside it, onnxruntime-node external)
// runs in a real child process: the worker is found beside the bundle, not through tsx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { tempDir } from './helpers';

test('bundled trainer + out/trainer-worker.js train the demo in a child process', async () => {
  const { dir, cleanup } = tempDir('simpo-bundle-');
  try {
    const entry = join(dir, 'entry.ts');
    fs.writeFileSync(entry, `import { runDemo } from ${JSON.stringify(resolve('server/train/demo'))};
runDemo({ runsDir: process.argv[2] }).then((s) => { process.stdout.write(JSON.stringify({ status: s.info.status, error: s.info.error, after: s.evalAccuracyAfter, worker: require('node:fs').existsSync(__dirname + '/trainer-worker.js') })); });\n`);
    const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node20', external: ['onnxruntime-node'], logLevel: 'error' as const, nodePaths: [resolve('node_modules')] };
    await esbuild.build({ ...common, entryPoints: { 'trainer-worker': resolve('server/train/worker.ts'), cli: entry }, outdir: join(dir, 'out') });
    const out = execFileSync(process.execPath, [join(dir, 'out', 'cli.js'), join(dir, 'runs')], {
      env: { ...process.env, SIMPO_EXAMPLES_DIR: resolve('examples'), NODE_PATH: resolve('node_modules'), NODE_OPTIONS: '' },
      encoding: 'utf8', timeout: 120_000,
    });
    const r = JSON.parse(out);
    assert.equal(r.status, 'completed', r.error);
    assert.ok(r.after >= 0.9);
    assert.equal(r.worker, true);
  } finally {
    cleanup();
  }
});
