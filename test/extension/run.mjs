// Runs the extension's mocha suites (test/extension/suite/) inside a real VS Code: code-server 4.100.3 in
// Playwright-driven Chromium, as @vscode/test-electron would with a desktop VS Code. Then the user-level UI test.
// Exit code: 0 when every suite passed. scripts/test.mjs calls this after the unit tests.
//   node test/extension/run.mjs            suites + UI test
//   node test/extension/run.mjs --suites   only the mocha suites
//   node test/extension/run.mjs --ui       only the UI test
//   node test/extension/run.mjs --vsix     also: npm run package, then the UI test against the installed vsix
//                                          (or SIMPO_TEST_VSIX=1)
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { format } from 'node:util';
import { root, artifacts, makeSandbox, launch, payloadUrl, checkBuilt } from './harness.mjs';

const only = process.argv.find((a) => a === '--ui' || a === '--suites');
const TIMEOUT_MS = Number(process.env.SIMPO_VSCODE_TEST_TIMEOUT_MS || 8 * 60_000);

/** restricted: code-server with workspace trust on and the folder untrusted; index.ts then runs only the Restricted Mode suite. */
export async function runSuites({ restricted = false } = {}) {
  checkBuilt();
  const name = restricted ? 'restricted' : 'suite';
  const sb = makeSandbox(name, restricted ? { 'security.workspace.trust.enabled': true } : {});
  // the suites' workspace: the example (config, data, tiny model) plus a bad config for diagnostics
  const examples = process.env.SIMPO_TEST_EXAMPLES || join(root, 'examples');
  if (existsSync(examples)) cpSync(examples, join(sb.ws, 'example'), { recursive: true, filter: (s) => !/\.(ts|map)$/.test(s) });
  const vs = await launch(sb, { log: `code-server-${name}.log`, trust: !restricted });
  const lines = [];
  try {
    const done = new Promise((resolve) => {
      vs.page.exposeFunction('codeAutomationLog', (type, args) => {
        // the workbench forwards console calls: a printf-style format string and its arguments
        const text = format(...(Array.isArray(args) ? args : [args]));
        lines.push(text);
        // the workbench's own offline noise (no marketplace here) goes to the file, not the console
        if (/open-vsx\.org|ENOTFOUND|Creating a socket|Resolving connection token|Resolved connection token|workbench contribution/.test(text)) return;
        (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
      });
      vs.page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    });
    const url = payloadUrl(vs.host, sb.ws, root, join(root, 'out', 'test', 'suite', 'index.js'));
    await vs.page.goto(url);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS));
    const code = await Promise.race([done, timeout]);
    await vs.page.screenshot({ path: join(artifacts, `${name}-end.png`) }).catch(() => undefined);
    writeFileSync(join(artifacts, `${name}-output.txt`), lines.join('\n'));
    if (code === 'timeout') { console.error(`extension suites (${name}): no result within ${TIMEOUT_MS / 1000} s`); return 1; }
    console.log(`extension suites (${name}): exit code ${code}`);
    return code;
  } finally {
    await vs.close();
    if (!process.env.SIMPO_KEEP_SANDBOX) sb.cleanup(); else console.log(`sandbox kept: ${sb.dir}`);
  }
}

if (process.argv[1] && process.argv[1].endsWith('run.mjs')) {
  let failed = false;
  // the extension's pure modules (formatting, templates) under node's test runner first: seconds, no VS Code
  const unit = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/extension/unit/format.test.ts'], { cwd: root, stdio: 'inherit' });
  failed ||= unit.status !== 0;
  if (only !== '--ui') failed ||= (await runSuites()) !== 0;
  if (only !== '--ui') failed ||= (await runSuites({ restricted: true })) !== 0;
  if (only !== '--suites' && existsSync(join(root, 'test', 'extension', 'ui.test.mjs'))) {
    const r = spawnSync(process.execPath, [join(root, 'test', 'extension', 'ui.test.mjs')], { stdio: 'inherit' });
    failed ||= r.status !== 0;
  }
  if (process.argv.includes('--vsix') || process.env.SIMPO_TEST_VSIX === '1') {
    const pkg = spawnSync('npm', ['run', 'package'], { cwd: root, stdio: 'inherit' });
    const vsix = join(root, 'out', 'simpo-studio.vsix');
    if (pkg.status !== 0 || !existsSync(vsix)) { console.error('npm run package failed'); failed = true; }
    else failed ||= spawnSync(process.execPath, [join(root, 'test', 'extension', 'ui.test.mjs'), '--vsix', vsix], { stdio: 'inherit' }).status !== 0;
  }
  process.exit(failed ? 1 : 0);
}
