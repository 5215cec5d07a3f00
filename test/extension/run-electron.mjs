// The same extension suites in a desktop VS Code downloaded by @vscode/test-electron, for machines and CI that can
// reach update.code.visualstudio.com (not these: here run.mjs uses code-server). Build first: npm run build.
//   node test/extension/run-electron.mjs [--version 1.100.3|stable] [--restricted]
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const restricted = process.argv.includes('--restricted');
const dir = mkdtempSync(join(tmpdir(), 'simpo-electron-'));
const ws = join(dir, 'workspace');
mkdirSync(join(dir, 'user-data', 'User'), { recursive: true });
mkdirSync(ws, { recursive: true });
if (existsSync(join(root, 'examples'))) cpSync(join(root, 'examples'), join(ws, 'example'), { recursive: true });
writeFileSync(join(dir, 'user-data', 'User', 'settings.json'), JSON.stringify({
  'security.workspace.trust.enabled': restricted, 'security.workspace.trust.startupPrompt': 'never', 'simpo.threads': 1,
}));
try {
  await runTests({
    version: arg('--version') ?? '1.100.3', // the oldest VS Code that engines.vscode accepts; also try 'stable'
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out', 'test', 'suite', 'index.js'),
    launchArgs: [ws, '--user-data-dir', join(dir, 'user-data'), '--disable-extensions', ...(restricted ? [] : ['--disable-workspace-trust'])],
  });
} catch (e) {
  console.error(`extension suites failed: ${e}`);
  process.exit(1);
}
