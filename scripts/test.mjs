// Runs every test: the node test runner over test/**/*.test.ts (engine, data, config, language server, runs,
// CLI, webview in Chromium), then the extension suites in a real VS Code (code-server) when it is installed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'node_modules' && !(dir === 'test' && name === 'extension')) find(p, out); }
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
let files = find('test').sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
let failed = false;
if (files.length) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
const e2e = 'test/extension/run.mjs';
if (!filter.length && existsSync(e2e) && process.env.SIMPO_SKIP_VSCODE_TESTS !== '1') {
  const r = spawnSync(process.execPath, [e2e], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
process.exit(failed ? 1 : 0);
