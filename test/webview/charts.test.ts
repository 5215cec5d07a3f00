// The chart webview in real Chromium: rendering, theme switch, 50 000 points, smoothing and log, export, samples,
// compare mode. Screenshots go to test-artifacts/webview-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHART_IDS, type ExportPngMessage, type SetStateMessage } from '../../server/protocol/webview';
import {
  startHarness, openPage, send, posted, frames, points, violations, pageErrors, run, metricsLines, SAMPLES, ARTIFACTS,
  type Harness,
} from './harness';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

async function finish(page: Page): Promise<void> {
  assert.deepEqual(await violations(page), [], 'no Content Security Policy violations');
  assert.deepEqual(pageErrors(page), [], 'no page errors');
  assert.deepEqual((await posted(page)).filter((m) => m.type === 'error'), [], 'no errors posted');
  await page.close();
}

const attr = (page: Page, chart: string, name: string) => page.getAttribute(`canvas[data-chart="${chart}"]`, name);

test('shows an empty state, then every chart draws from init + metrics', async () => {
  const page = await openPage(h);
  await send(page, { type: 'init', mode: 'single', runs: [run('simpo-1')], theme: 'dark' });
  await frames(page);
  assert.equal(await page.isVisible('.empty-state'), true, 'empty state while no metrics');
  assert.equal(await page.isVisible('.charts-grid'), false);
  assert.match(await page.textContent('h1') ?? '', /simpo-1/);
  await send(page, { type: 'metrics', runId: 'simpo-1', lines: metricsLines(200), from: 0 });
  await frames(page);
  assert.equal(await page.isVisible('.empty-state'), false);
  const n = await points(page);
  assert.deepEqual(Object.keys(n).sort(), [...CHART_IDS].sort());
  for (const id of CHART_IDS) assert.ok(n[id] > 0, `chart ${id} drew points (${n[id]})`);
  // 200 train points + 8 eval points on the loss chart
  assert.equal(n.loss, 208);
  // a live append of one line redraws with one more point
  await send(page, { type: 'metrics', runId: 'simpo-1', lines: metricsLines(1, { start: 201, evalEvery: 0 }), from: 208 });
  await frames(page);
  assert.equal((await points(page)).loss, 209);
  // a repeated batch (overlap) is not drawn twice
  await send(page, { type: 'metrics', runId: 'simpo-1', lines: metricsLines(1, { start: 201, evalEvery: 0 }), from: 208 });
  await frames(page);
  assert.equal((await points(page)).loss, 209);
  await page.screenshot({ path: join(ARTIFACTS, 'webview-single-dark.png'), fullPage: true });
  await finish(page);
});

test('a theme switch changes the series colours live', async () => {
  const page = await openPage(h);
  await send(page, { type: 'init', mode: 'single', runs: [run('r')], theme: 'dark' });
  await send(page, { type: 'metrics', runId: 'r', lines: metricsLines(100), from: 0 });
  await frames(page);
  assert.equal((await attr(page, 'loss', 'data-colors'))?.split(';')[0], '#3794ff');
  const darkPixels = await page.locator('canvas[data-chart="loss"]').screenshot();
  await page.evaluate(() => { document.body.className = 'vscode-light'; document.body.dataset.vscodeThemeKind = 'vscode-light'; });
  await frames(page);
  await frames(page);
  assert.equal((await attr(page, 'loss', 'data-colors'))?.split(';')[0], '#005fb8');
  assert.equal((await attr(page, 'rewards', 'data-colors'))?.split(';')[1], '#007d6a', 'chosen reward colour');
  const lightPixels = await page.locator('canvas[data-chart="loss"]').screenshot();
  assert.notDeepEqual(lightPixels, darkPixels, 'the canvas was redrawn');
  await page.screenshot({ path: join(ARTIFACTS, 'webview-single-light.png'), fullPage: true });
  await finish(page);
});

test('50 000 points render decimated, and a one-line update follows', async () => {
  const page = await openPage(h);
  await send(page, { type: 'init', mode: 'single', runs: [run('big', { totalSteps: 50_000 })], theme: 'dark' });
  const lines = metricsLines(50_000, { evalEvery: 1000 });
  await send(page, { type: 'metrics', runId: 'big', lines, from: 0 });
  await frames(page);
  const n = await points(page);
  for (const id of CHART_IDS) assert.ok(n[id] > 0, `chart ${id} drew points`);
  assert.ok(n.memory < 50_000 / 4, `peak memory was decimated (${n.memory} points drawn of 50 000)`);
  assert.ok(n.loss < 50_000 / 4, `loss was decimated (${n.loss})`);
  await send(page, { type: 'metrics', runId: 'big', lines: metricsLines(1, { start: 50_001, evalEvery: 0 }), from: lines.length });
  await frames(page);
  assert.ok((await points(page)).memory > 0);
  await page.screenshot({ path: join(ARTIFACTS, 'webview-50k.png') });
  await finish(page);
});

test('smoothing and log scale per chart, remembered in the state', async () => {
  const page = await openPage(h);
  await send(page, { type: 'init', mode: 'single', runs: [run('r')], theme: 'dark' });
  await send(page, { type: 'metrics', runId: 'r', lines: metricsLines(300, { evalEvery: 0 }), from: 0 });
  await frames(page);
  assert.equal((await attr(page, 'loss', 'data-colors'))?.split(';').length, 1);
  const slider = page.locator('[data-card="loss"] input[data-control="smoothing"]');
  await slider.fill('0.9');
  await frames(page);
  const colors = (await attr(page, 'loss', 'data-colors'))!.split(';');
  assert.equal(colors.length, 2, 'raw (faded) + smoothed series');
  assert.match(colors[0], /^rgba\(55, 148, 255, 0\.25\)$/);
  assert.equal(colors[1], '#3794ff');
  assert.equal((await points(page)).loss, 600);
  // the other charts keep their own setting
  assert.equal((await attr(page, 'memory', 'data-colors'))?.split(';').length, 1);
  await page.locator('[data-card="loss"] input[data-control="log"]').check();
  await frames(page);
  assert.equal(await attr(page, 'loss', 'data-y-scale'), 'logarithmic');
  assert.equal(await attr(page, 'memory', 'data-y-scale'), 'linear');
  assert.equal(await page.locator('[data-card="rewards"] input[data-control="log"]').isDisabled(), true, 'rewards go negative: no log axis');
  const states = (await posted(page)).filter((m): m is SetStateMessage => m.type === 'setState');
  assert.deepEqual(states.at(-1)?.state.charts?.loss, { smoothing: 0.9, log: true });
  // a restored panel (serializer) comes back with the same options
  const page2 = await openPage(h);
  await send(page2, { type: 'init', mode: 'single', runs: [run('r')], theme: 'dark', state: states.at(-1)!.state });
  await send(page2, { type: 'metrics', runId: 'r', lines: metricsLines(300, { evalEvery: 0 }), from: 0 });
  await frames(page2);
  assert.equal(await attr(page2, 'loss', 'data-y-scale'), 'logarithmic');
  assert.equal(await page2.inputValue('[data-card="loss"] input[data-control="smoothing"]'), '0.9');
  await page.screenshot({ path: join(ARTIFACTS, 'webview-smoothing-log.png') });
  await finish(page);
  await finish(page2);
});

test('PNG export posts a data:image/png URL; CSV export posts the run ids', async () => {
  const page = await openPage(h);
  await send(page, { type: 'init', mode: 'single', runs: [run('r')], theme: 'dark' });
  await send(page, { type: 'metrics', runId: 'r', lines: metricsLines(50), from: 0 });
  await frames(page);
  await page.click('[data-card="rewards"] button[data-control="png"]');
  let pngs = (await posted(page)).filter((m): m is ExportPngMessage => m.type === 'exportPng');
  assert.equal(pngs.length, 1);
  assert.equal(pngs[0].chart, 'rewards');
  assert.match(pngs[0].dataUrl, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  const png = Buffer.from(pngs[0].dataUrl.split(',')[1], 'base64');
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  assert.ok(png.length > 5000, `a picture, not an empty canvas (${png.length} bytes)`);
  // the host asks for every chart (export from the command palette)
  await send(page, { type: 'exportRequest', requestId: 7 });
  pngs = (await posted(page)).filter((m): m is ExportPngMessage => m.type === 'exportPng' && m.requestId === 7);
  assert.deepEqual(pngs.map((m) => m.chart).sort(), [...CHART_IDS].sort());
  await page.click('button[data-action="export-csv"]');
  assert.deepEqual((await posted(page)).filter((m) => m.type === 'exportCsv'), [{ type: 'exportCsv', runIds: ['r'] }]);
  await finish(page);
});

test('samples table: prompt, before, after, correct marks; text is never HTML', async () => {
  const page = await openPage(h);
  await send(page, { type: 'init', mode: 'single', runs: [run('r', { status: 'completed' })], theme: 'dark' });
  await send(page, { type: 'metrics', runId: 'r', lines: metricsLines(40), from: 0 });
  await frames(page);
  assert.match(await page.textContent('.samples-body') ?? '', /no samples yet/);
  await page.click('.samples-section > summary');
  // the details 'toggle' event is dispatched asynchronously
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestSamples'));
  const req = (await posted(page)).filter((m) => m.type === 'requestSamples');
  assert.deepEqual(req, [{ type: 'requestSamples', runId: 'r' }]);
  await send(page, { type: 'samples', runId: 'r', samples: SAMPLES });
  await frames(page);
  const rows = page.locator('table[data-table="samples"] tbody tr');
  assert.equal(await rows.count(), 3);
  assert.deepEqual(await rows.nth(0).locator('td').allTextContents(), ['1', 'What is 17 + 25?reference: 42', '✗ 17 + 25 = 32', '✓ 17 + 25 = 42']);
  assert.match(await page.textContent('table[data-table="samples"] caption') ?? '', /correct before 1\/3, after 2\/3/);
  assert.equal(await page.locator('table[data-table="samples"] script').count(), 0);
  assert.match(await rows.nth(2).locator('td').nth(2).textContent() ?? '', /<script>alert\(1\)<\/script>/);
  await page.locator('.samples-section').screenshot({ path: join(ARTIFACTS, 'webview-samples.png') });
  await finish(page);
});

test('compare mode overlays two runs with a legend per run and a summary table', async () => {
  const page = await openPage(h);
  const runs = [run('simpo-a', { name: 'SimPO', algorithm: 'simpo', status: 'completed' }), run('dpo-b', { name: 'DPO', algorithm: 'dpo', status: 'completed' })];
  await send(page, { type: 'init', mode: 'compare', runs, theme: 'dark' });
  await send(page, { type: 'metrics', runId: 'simpo-a', lines: metricsLines(200, { seed: 3, msPerStep: 400, memory: 800 }), from: 0 });
  await send(page, { type: 'metrics', runId: 'dpo-b', lines: metricsLines(200, { seed: 9, msPerStep: 650, memory: 1300 }), from: 0 });
  await frames(page);
  assert.match(await page.textContent('h1') ?? '', /SimPO vs DPO/);
  const n = await points(page);
  for (const id of CHART_IDS) assert.ok(n[id] > 0, `chart ${id} drew points`);
  assert.equal(n.loss, 2 * 208, 'both runs on the loss chart');
  const colors = (await attr(page, 'loss', 'data-colors'))!.split(';');
  assert.deepEqual(colors, ['#3794ff', '#3794ff', '#f14c4c', '#f14c4c'], 'one colour per run (train + eval each)');
  const rows = page.locator('table[data-table="summary"] tbody tr');
  assert.equal(await rows.count(), 2);
  const simpo = await rows.nth(0).locator('th, td').allTextContents();
  const dpo = await rows.nth(1).locator('th, td').allTextContents();
  assert.deepEqual(simpo.slice(0, 5), ['SimPO', 'simpo', '200', '400 ms', '819.9 MB']);
  assert.deepEqual(dpo.slice(0, 5), ['DPO', 'dpo', '200', '650 ms', '1319.9 MB']);
  assert.match(simpo[6], /^0\.\d+|^1$/, 'final reward accuracy');
  assert.match(simpo[7], /^0\.8/, 'final eval reward accuracy');
  await page.screenshot({ path: join(ARTIFACTS, 'webview-compare.png'), fullPage: true });
  await finish(page);
});

test('each chart tells a screen reader its latest values', async () => {
  const page = await openPage(h);
  await send(page, { type: 'init', mode: 'single', runs: [run('r')], theme: 'dark' });
  await send(page, { type: 'metrics', runId: 'r', lines: [{ step: 1, epoch: 0, time: 0, loss: 0.693, learning_rate: 5e-7, grad_norm: 3.25 }, { step: 2, epoch: 0, time: 1, loss: 0.5 }], from: 0 });
  await frames(page);
  assert.equal(await attr(page, 'loss', 'aria-label'), 'Loss chart: train loss 0.5 at step 2');
  assert.equal(await attr(page, 'lr', 'aria-label'), 'Learning rate and gradient norm chart: learning rate 5e-7 at step 1; grad norm 3.25 at step 1');
  assert.equal(await attr(page, 'memory', 'aria-label'), 'Peak memory chart: no data yet');
  assert.equal(await page.isVisible('[data-card="memory"] .chart-empty'), true, 'a chart without data says so');
  assert.equal(await page.locator('h2').count() >= 6, true, 'every chart has a heading');
  await finish(page);
});
