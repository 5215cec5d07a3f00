// Bundles every entry point with esbuild. One list, so a newcomer sees every artefact the project ships.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Node bundles: the CLI (also the language server and the trainer), the extension, benchmarks, tests run in VS Code. */
const node = [
  // The extension host side: `vscode` is provided by VS Code itself.
  { in: 'extension/extension.ts', out: 'extension', external: ['vscode'] },
  // `simpo` CLI: train, validate, runs, stop, demo, lsp --stdio. onnxruntime-node is native: never bundled.
  { in: 'server/cli/main.ts', out: 'cli', external: ['onnxruntime-node'] },
  // The engine's worker thread (session.run blocks its thread, so it gets one of its own).
  { in: 'server/train/worker.ts', out: 'trainer-worker', external: ['onnxruntime-node'] },
  { in: 'bench/bench.ts', out: 'bench', external: ['onnxruntime-node'] },
  // Extension tests run by mocha inside the extension host (code-server here, @vscode/test-electron elsewhere).
  { in: 'test/extension/suite/index.ts', out: 'test/suite/index', external: ['vscode', 'mocha'] },
];
/** Browser bundles: the chart webview. */
const browser = [{ in: 'webview/main.ts', out: 'webview' }];

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const contexts = [];
for (const e of node) {
  if (!existsSync(e.in)) continue; // entries appear as their features land
  contexts.push(await esbuild.context({
    ...common, entryPoints: { [e.out]: e.in }, outdir: 'out', platform: 'node', format: 'cjs', target: 'node20',
    external: e.external,
  }));
}
for (const e of browser) {
  if (!existsSync(e.in)) continue;
  contexts.push(await esbuild.context({
    ...common, entryPoints: { [e.out]: e.in }, outdir: 'out', platform: 'browser', format: 'iife', target: 'es2022',
  }));
}
mkdirSync('out', { recursive: true });
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
