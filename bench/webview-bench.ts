// Chart webview benchmark in real Chromium (playwright-core, /usr/bin/chromium): time from posting 50 000 metrics
// lines to every chart drawn, and from posting one new line to the charts redrawn with it. Writes
// bench/webview-results.json and .md.  Run: node --import tsx bench/webview-bench.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { startHarness, openPage, send, metricsLines, run } from '../test/webview/harness';

const N = 50_000;
const FULL_REPEATS = 5;
const APPEND_REPEATS = 60;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: +q(0.5).toFixed(1), p90: +q(0.9).toFixed(1), min: +s[0].toFixed(1), max: +s[s.length - 1].toFixed(1) };
}

/** In the page: posts a metrics message and resolves with the ms until every chart's data-draws changed. */
const timeRender = (arg: { json: string; charts: string[] }) => new Promise<number>((resolve, reject) => {
  const msg = JSON.parse(arg.json);
  const canvases = arg.charts.map((id) => document.querySelector(`canvas[data-chart="${id}"]`) as HTMLCanvasElement);
  const before = canvases.map((c) => c.dataset.draws);
  const changed = new Set<number>();
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    canvases.forEach((c, i) => { if (c.dataset.draws !== before[i]) changed.add(i); });
    if (changed.size === canvases.length) { obs.disconnect(); clearTimeout(timer); resolve(performance.now() - t0); }
  });
  for (const c of canvases) obs.observe(c, { attributes: true, attributeFilter: ['data-draws'] });
  const timer = setTimeout(() => { obs.disconnect(); reject(new Error(`charts not redrawn: ${[...changed]}`)); }, 30_000);
  window.postMessage(msg, '*');
});

async function main(): Promise<void> {
  const h = await startHarness();
  try {
    const page = await openPage(h, { width: 1280, height: 1000 });
    const all = ['loss', 'rewards', 'accuracy', 'memory', 'throughput', 'lr'];
    await send(page, { type: 'init', mode: 'single', runs: [run('bench', { totalSteps: N * 2 })], theme: 'dark' });
    // a first small batch creates the charts, so the timings below are of data, not of the first layout
    await send(page, { type: 'metrics', runId: 'bench', lines: metricsLines(10, { evalEvery: 0 }), from: 0 });
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

    const lines = metricsLines(N, { evalEvery: 0 });
    const fullJson = JSON.stringify({ type: 'metrics', runId: 'bench', lines, from: 0 });
    const full: number[] = [];
    for (let i = 0; i < FULL_REPEATS; i++) {
      full.push(await page.evaluate(timeRender, { json: fullJson, charts: all }));
    }
    // then single-line appends (what a live run sends)
    const append: number[] = [];
    let next = N;
    for (let i = 0; i < APPEND_REPEATS; i++) {
      const one = metricsLines(1, { start: next + 1, evalEvery: 0 });
      append.push(await page.evaluate(timeRender, { json: JSON.stringify({ type: 'metrics', runId: 'bench', lines: one, from: next }), charts: all }));
      next++;
    }
    const device = `${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), Chromium headless, software rendering`;
    const result = {
      date: new Date().toISOString(), device, points: N, charts: all.length,
      /** the machine's 1-minute load average when done: the 2 cores are shared, so compare runs at similar loads */
      loadavg1: +loadavg()[0].toFixed(2),
      render50k_ms: stats(full),
      appendOneLine_ms: stats(append),
      note: 'render50k: postMessage of 50 000 metrics lines (14 metrics each) to all six charts drawn (structured clone, series build, LTTB decimation, draw). appendOneLine: postMessage of one line to the charts redrawn, including the wait for the next animation frame.',
    };
    writeFileSync(join(__dirname, 'webview-results.json'), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(__dirname, 'webview-results.md'), [
      '# Chart webview benchmark', '',
      `${result.date} · ${device} · load average ${result.loadavg1} (shared cores)`, '',
      '| measure | median ms | p90 ms | min | max | n |', '|---|---|---|---|---|---|',
      `| render ${N} points × 6 charts | ${result.render50k_ms.median} | ${result.render50k_ms.p90} | ${result.render50k_ms.min} | ${result.render50k_ms.max} | ${result.render50k_ms.n} |`,
      `| apply a 1-line update | ${result.appendOneLine_ms.median} | ${result.appendOneLine_ms.p90} | ${result.appendOneLine_ms.min} | ${result.appendOneLine_ms.max} | ${result.appendOneLine_ms.n} |`,
      '', result.note, '', 'Command: `node --import tsx bench/webview-bench.ts`', '',
    ].join('\n'));
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await h.close();
  }
}
void main().catch((e) => { console.error(e); process.exit(1); });
