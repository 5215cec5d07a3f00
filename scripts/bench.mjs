// `npm run bench`: every benchmark in one command, each writing its figures to bench/*-results.{json,md}
// (the engine's to bench/results.{json,md}). Pass names to run only some: engine, lsp, webview, extension.
// Extra flags after `--` go to the engine bench (e.g. --quick, --no-torch).
import { spawnSync } from 'node:child_process';

const all = {
  engine: [process.execPath, ['out/bench.js']],                          // engine vs PyTorch eager, SimPO vs DPO
  lsp: [process.execPath, ['--import', 'tsx', 'bench/lsp-bench.ts', '--built']], // change -> diagnostics latency
  webview: [process.execPath, ['--import', 'tsx', 'bench/webview-bench.ts']],   // 50k points, 1-line update
  extension: [process.execPath, ['bench/extension-bench.mjs']],          // activation, metrics line -> chart (code-server)
};
const args = process.argv.slice(2);
const names = args.filter((a) => a in all);
const flags = args.filter((a) => !(a in all));
let failed = false;
for (const name of names.length ? names : Object.keys(all)) {
  const [cmd, cmdArgs] = all[name];
  console.log(`\n== bench: ${name}`);
  const r = spawnSync(cmd, name === 'engine' ? [...cmdArgs, ...flags] : cmdArgs, { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`bench ${name} failed (exit ${r.status})`); failed = true; }
}
process.exit(failed ? 1 : 0);
