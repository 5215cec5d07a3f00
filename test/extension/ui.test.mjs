// User-level test in a real VS Code (code-server 4.100.3) driven through Chromium, as a user would: F1 →
// "SimPO: Open Example", F1 → "SimPO: Start Run", watch the run in the run browser until it completes, open its
// charts and check that every chart drew data. Screenshots go to test-artifacts/ui-*.png.
//   node test/extension/ui.test.mjs                 the extension from this checkout (extensionDevelopmentPath)
//   node test/extension/ui.test.mjs --vsix X.vsix   the packaged extension, installed with --install-extension
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { root, artifacts, makeSandbox, launch, payloadUrl, checkBuilt } from './harness.mjs';
import { codeServerBin, install } from '../../scripts/code-server.mjs';

const vsixArg = process.argv.indexOf('--vsix');
const vsix = vsixArg > 0 ? resolve(process.argv[vsixArg + 1]) : undefined;
const tag = vsix ? 'ui-vsix' : 'ui';
const RUN_TIMEOUT_MS = Number(process.env.SIMPO_UI_RUN_TIMEOUT_MS || 240_000);

let step = 0;
async function shot(page, name) {
  const file = join(artifacts, `${tag}-${String(++step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  console.log(`  screenshot ${file}`);
}

/** F1, type the command's title, Enter. Retries while the workbench is still registering extension commands. */
async function runCommand(page, title, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      await page.keyboard.press('Enter');
      return;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`command "${title}" is not in the palette`);
    }
  }
}

function check(cond, message) {
  if (!cond) throw new Error(message);
  console.log(`  ok: ${message}`);
}

async function main() {
  if (!vsix) checkBuilt();
  const sb = makeSandbox(tag, { 'simpo.openChartsOnStart': true });
  if (vsix) {
    install();
    const env = { ...process.env, XDG_CONFIG_HOME: join(sb.xdg, 'config'), XDG_DATA_HOME: join(sb.xdg, 'data') };
    const r = spawnSync(process.execPath, [codeServerBin, '--install-extension', vsix, '--extensions-dir', sb.extensions, '--user-data-dir', sb.userData], { encoding: 'utf8', env });
    console.log(r.stdout.trim());
    check(r.status === 0 && /successfully installed/i.test(r.stdout), `the vsix installs into code-server (${r.stderr.trim().split('\n').pop() ?? ''})`);
  }
  const vs = await launch(sb, { log: `code-server-${tag}.log` });
  const { page } = vs;
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error' && /simpo/i.test(m.text())) consoleErrors.push(m.text()); });
  try {
    const url = vsix ? `http://${vs.host}/?folder=${encodeURIComponent(sb.ws)}` : payloadUrl(vs.host, sb.ws, root);
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.activitybar [aria-label^="SimPO"]').first().waitFor({ timeout: 60_000 });

    // 1. Open the example
    await runCommand(page, 'SimPO: Open Example');
    const tab = page.locator('.tabs-container .tab', { hasText: /\.ya?ml/ }).first();
    await tab.waitFor({ timeout: 30_000 });
    check(existsSync(join(sb.ws, 'simpo-example')), 'Open Example copied the example into the workspace');
    await page.waitForTimeout(1500);
    await shot(page, 'example-opened');

    // 2. Validation as you type: a bad value gets an error squiggle; then the file is reverted
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nbeta: -1\n');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    check(true, 'a bad value in the config gets an error squiggle');
    await shot(page, 'validation');
    await runCommand(page, 'File: Revert File');
    await page.waitForTimeout(500);

    // 3. Start Run from the palette (with the config active)
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'SimPO: Start Run');

    // 4. Watch it in the run browser
    await runCommand(page, 'SimPO: Focus on Runs View');
    const tree = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /runs/i }) }).locator('.monaco-list-row');
    await tree.first().waitFor({ timeout: 30_000 });
    const running = page.locator('.monaco-list-row .codicon-loading');
    if (await running.first().isVisible().catch(() => false)) await shot(page, 'run-running');
    else await running.first().waitFor({ timeout: 5000 }).then(() => shot(page, 'run-running')).catch(() => console.log('  (the run was not caught spinning)'));
    // a window reload while the run trains: the trainer is detached and keeps going; the new window's server
    // re-reads the run directories, so the run browser shows it again; the chart panel comes back (serializer)
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForTimeout(1000);
    await page.locator('.activitybar [aria-label^="SimPO"]').first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'SimPO: Focus on Runs View');
    await tree.first().waitFor({ timeout: 30_000 });
    check(await tree.count() === 1, 'after a window reload the run browser shows the run again');
    await page.locator('.tabs-container .tab', { hasText: /^Charts/ }).first().waitFor({ timeout: 30_000 });
    const restored = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('canvas[data-points]').first();
    await restored.waitFor({ timeout: 30_000 });
    check(Number(await restored.getAttribute('data-points')) > 0, 'the chart panel came back after the reload, with data');
    await shot(page, 'after-reload');
    const doneIcon = page.locator('.monaco-list-row .codicon-pass, .monaco-list-row .codicon-error, .monaco-list-row .codicon-debug-stop').first();
    await doneIcon.waitFor({ timeout: RUN_TIMEOUT_MS });
    const rowText = await tree.first().innerText();
    check(await page.locator('.monaco-list-row .codicon-pass').count() > 0, `the run completed in the run browser: "${rowText.replace(/\s+/g, ' ')}"`);
    await shot(page, 'run-completed');

    // 5. Open its charts (clicking the run opens them) and check every chart drew data
    await tree.first().click();
    const webview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const canvases = webview.locator('canvas');
    await canvases.first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500);
    const charts = await canvases.evaluateAll((els) => els.map((c) => {
      const holder = c.closest('[data-points]') ?? c;
      const points = Number(holder.getAttribute('data-points') ?? c.getAttribute('data-points') ?? NaN);
      const ctx = c.getContext('2d');
      let inked = 0;
      if (ctx && c.width && c.height) {
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 16) if (d[i] > 0) inked++;
      }
      return { id: c.id || holder.id || c.getAttribute('aria-label') || '', points, inked, w: c.width, h: c.height };
    }));
    console.log(`  charts: ${JSON.stringify(charts)}`);
    check(charts.length >= 3, `the chart panel shows ${charts.length} charts`);
    for (const c of charts) {
      // data-points: the number of points the chart drew (set by the webview on render)
      check(c.points > 0 && c.inked > 0, `chart "${c.id || '?'}" drew data (${c.points} points)`);
    }
    await shot(page, 'charts');
    check(consoleErrors.length === 0, `no SimPO errors in the browser console${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
    console.log(`${tag}: passed`);
    return 0;
  } catch (e) {
    await shot(page, 'failure').catch(() => undefined);
    console.error(`${tag}: FAILED: ${e.stack ?? e}`);
    return 1;
  } finally {
    await vs.close();
    if (!process.env.SIMPO_KEEP_SANDBOX) sb.cleanup(); else console.log(`sandbox kept: ${sb.dir}`);
  }
}

process.exit(await main());
