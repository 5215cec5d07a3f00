// A chart panel's data path without VS Code: a real run directory written line by line, the real run manager
// watching it, PanelFeed (extension/charts/feed.ts) turning it into messages, and the real webview in Chromium
// drawing them. The only adapter is RunsSource over the run manager (what the language client does over LSP).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { RunManager } from '../../server/runs/manager';
import { createRunDir, JsonlAppender, updateRunInfo } from '../../server/runs/run-dir';
import { RUN_FILES, type SampleLine } from '../../server/protocol/runs';
import type { HostToWebview, RunsSource, WebviewToHost } from '../../server/protocol/webview';
import { PanelFeed } from '../../extension/charts/feed';
import { startHarness, openPage, send, points, frames, posted, metricsLines, SAMPLES, type Harness } from './harness';

let h: Harness;
let runsDir: string;
before(async () => { h = await startHarness(); runsDir = mkdtempSync(join(tmpdir(), 'simpo-feed-')); });
after(async () => { await h?.close(); rmSync(runsDir, { recursive: true, force: true }); });

function managerSource(m: RunManager): RunsSource & { subscribed: Set<string> } {
  const subscribed = new Set<string>();
  return {
    subscribed,
    listRuns: async () => m.list(),
    metrics: async (id, from) => m.metrics(id, from),
    subscribe: async (id) => { subscribed.add(id); },
    unsubscribe: async (id) => { subscribed.delete(id); },
    onMetricsAppended: (cb) => m.onMetrics((p) => { if (subscribed.has(p.id)) cb(p); }),
    onRunsChanged: (cb) => m.onChanged(cb),
    readSamples: async (dir) => {
      try { return readFileSync(join(dir, RUN_FILES.samples), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as SampleLine); } catch { return []; }
    },
  };
}

/** Posts to the webview page in order (each post is an async evaluate), recording what was sent. `page` changes
 * when the webview is reloaded, as the panel's webview does behind the same postMessage. */
function pagePoster(first: Page) {
  const sent: HostToWebview[] = [];
  let chain = Promise.resolve();
  const p = {
    page: first,
    sent,
    post: (m: HostToWebview) => { sent.push(m); const target = p.page; chain = chain.then(() => send(target, m)); },
    drained: () => chain,
  };
  return p;
}

async function waitPoints(page: Page, chart: string, n: number): Promise<void> {
  await page.waitForFunction(([c, want]) => Number(document.querySelector(`canvas[data-chart="${c}"]`)?.getAttribute('data-points')) === want, [chart, n] as const, { timeout: 15_000 });
}

test('a live run: history on ready, appended lines batched into the chart, samples when it ends, all again after a reload', async () => {
  const { id, dir } = createRunDir(runsDir, { name: 'live', device: 'cpu', algorithm: 'simpo', totalSteps: 60, status: 'running' });
  updateRunInfo(dir, { pid: process.pid, started: new Date().toISOString() });
  const metrics = new JsonlAppender(join(dir, RUN_FILES.metrics), false);
  const lines = metricsLines(60, { evalEvery: 0 });
  for (const l of lines.slice(0, 20)) metrics.append(l);

  const manager = new RunManager({ runsDir, cliPath: join(__dirname, '../../out/cli.js'), pollMs: 50 });
  manager.watch();
  const source = managerSource(manager);
  const page = await openPage(h);
  const poster = pagePoster(page);
  const feed = new PanelFeed({ mode: 'single', runIds: [id], source, post: poster.post, theme: () => 'dark', log: (m) => assert.fail(m) });
  const subs = [source.onMetricsAppended((p) => feed.metricsAppended(p)), source.onRunsChanged!((r) => feed.runsChanged(r))];
  await source.subscribe(id);
  try {
    await feed.ready();
    await poster.drained();
    await waitPoints(page, 'loss', 20);
    assert.match(await page.textContent('.run-status') ?? '', /running/);

    // the trainer appends 40 lines, a few at a time
    const before = poster.sent.filter((m) => m.type === 'metrics').length;
    for (let i = 20; i < 60; i += 4) {
      for (const l of lines.slice(i, i + 4)) metrics.append(l);
      await new Promise((r) => setTimeout(r, 15));
    }
    await waitPoints(page, 'loss', 60);
    const live = poster.sent.filter((m) => m.type === 'metrics').slice(before);
    assert.ok(live.length >= 1 && live.length <= 10, `${live.length} metrics posts for 10 appends`);
    console.log(`# ${live.length} metrics posts carried 40 appended lines`);
    // contiguous: every post starts where the last ended
    let at = 20;
    for (const m of live) { assert.equal(m.type === 'metrics' && m.from, at); at += m.type === 'metrics' ? m.lines.length : 0; }
    assert.equal(at, 60);

    // the run ends: samples.jsonl, then run.json says completed
    writeFileSync(join(dir, RUN_FILES.samples), SAMPLES.map((s) => JSON.stringify(s)).join('\n') + '\n');
    updateRunInfo(dir, { status: 'completed', step: 60, pid: undefined, ended: new Date().toISOString() });
    await page.waitForFunction(() => document.querySelectorAll('table[data-table="samples"] tbody tr').length === 3, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => /completed/.test(document.querySelector('.run-status')?.textContent ?? ''), undefined, { timeout: 15_000 });

    // the panel was hidden and shown again: a fresh webview gets everything again, with its saved options
    const state = (await posted(page)).filter((m): m is Extract<WebviewToHost, { type: 'setState' }> => m.type === 'setState').at(-1)?.state;
    assert.deepEqual(state?.runIds, [id]);
    feed.setState({ ...state!, charts: { loss: { smoothing: 0.5, log: false } } });
    feed.hidden();
    const page2 = await openPage(h);
    poster.page = page2;
    await feed.ready();
    await poster.drained();
    await frames(page2);
    await waitPoints(page2, 'memory', 60);
    assert.equal(await page2.inputValue('[data-card="loss"] input[data-control="smoothing"]'), '0.5');
    assert.equal(await page2.locator('table[data-table="samples"] tbody tr').count(), 3);
    await page2.close();
  } finally {
    for (const s of subs) s.dispose();
    feed.dispose();
    manager.dispose();
    metrics.close();
    await page.close();
  }
});

test('compare: two runs, each from its own directory, in one panel', async () => {
  const a = createRunDir(runsDir, { name: 'simpo', device: 'cpu', algorithm: 'simpo', totalSteps: 30, status: 'completed' });
  const b = createRunDir(runsDir, { name: 'dpo', device: 'cpu', algorithm: 'dpo', totalSteps: 30, status: 'completed' });
  writeFileSync(join(a.dir, RUN_FILES.metrics), metricsLines(30, { seed: 1, evalEvery: 10 }).map((l) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(join(b.dir, RUN_FILES.metrics), metricsLines(30, { seed: 2, evalEvery: 10, msPerStep: 900 }).map((l) => JSON.stringify(l)).join('\n') + '\n');
  const manager = new RunManager({ runsDir, cliPath: join(__dirname, '../../out/cli.js') });
  const page = await openPage(h);
  const poster = pagePoster(page);
  const feed = new PanelFeed({ mode: 'compare', runIds: [a.id, b.id], source: managerSource(manager), post: poster.post, theme: () => 'dark', log: (m) => assert.fail(m) });
  try {
    await feed.ready();
    await poster.drained();
    await waitPoints(page, 'loss', 2 * 33);
    const rows = await page.locator('table[data-table="summary"] tbody tr th').allTextContents();
    assert.deepEqual(rows, ['simpo', 'dpo']);
    assert.match(await page.locator('table[data-table="summary"] tbody tr').nth(1).textContent() ?? '', /900 ms/);
  } finally {
    feed.dispose();
    manager.dispose();
    await page.close();
  }
});
