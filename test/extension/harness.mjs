// Shared by the real-VS-Code runners: a fresh workspace, code-server (VS Code 1.100.3) with its own user data and
// extensions folders, and Debian's Chromium driven by Playwright. Nothing is downloaded at test time.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { install, start } from '../../scripts/code-server.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'test-artifacts');
export const CHROMIUM = process.env.SIMPO_CHROMIUM || '/usr/bin/chromium';

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
    s.on('error', rej);
  });
}

/** A temp dir with workspace/, user-data/, extensions/, xdg/; settings that keep the UI quiet and deterministic. */
export function makeSandbox(name, settings = {}) {
  const dir = mkdtempSync(join(process.env.SIMPO_TEST_TMP || tmpdir(), `simpo-${name}-`));
  const ws = join(dir, 'workspace');
  for (const d of ['workspace', 'user-data/User', 'extensions', 'xdg']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'user-data', 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    // trusted unless a runner asks for Restricted Mode (then: no startup prompt, the folder opens restricted)
    'security.workspace.trust.enabled': settings['security.workspace.trust.enabled'] ?? false,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    'update.mode': 'none',
    'window.commandCenter': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'files.autoSave': 'off',
    'simpo.threads': 1,
    ...settings,
  }, null, 2));
  // the same quiet defaults as workspace settings too (code-server's web client does not always apply the user
  // file before the first editor opens), and no auto save: the UI test edits and reverts a config
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'files.autoSave': 'off', 'workbench.colorTheme': 'Default Dark Modern' }, null, 2));
  return { dir, ws, userData: join(dir, 'user-data'), extensions: join(dir, 'extensions'), xdg: join(dir, 'xdg'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function checkBuilt() {
  for (const f of ['out/extension.js', 'out/cli.js', 'out/test/suite/index.js']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
}

export async function launch(sandbox, { log = 'code-server.log', extraArgs = [], trust = true } = {}) {
  install();
  mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  const fd = openSync(join(artifacts, log), 'w');
  const cs = await start({ port, userDataDir: sandbox.userData, extensionsDir: sandbox.extensions, workspace: sandbox.ws, xdgDir: sandbox.xdg, log: fd, extraArgs, trust });
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  const host = `127.0.0.1:${port}`;
  const close = async () => { await browser.close().catch(() => undefined); cs.stop(); };
  return { port, host, page, browser, close };
}

/** The workbench URL that loads `extPath` as the extension under development and runs `testsPath` in its host. */
export function payloadUrl(host, workspace, extPath, testsPath) {
  const payload = [['extensionDevelopmentPath', `vscode-remote://${host}${extPath}`]];
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${testsPath}`]);
  return `http://${host}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
