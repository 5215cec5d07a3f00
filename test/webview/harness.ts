// Loads the real chart webview (out/webview.js, media/webview.css, the real HTML and CSP of extension/charts/html.ts)
// in real Chromium, served from 127.0.0.1 on an ephemeral port. The only stand-in is VS Code's host API
// (acquireVsCodeApi), which records what the webview posts; theme variables are set the way VS Code sets them.
import { createServer, type Server } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWebviewHtml, makeNonce } from '../../extension/charts/html';
import type { HostToWebview, WebviewToHost } from '../../server/protocol/webview';
import type { MetricsLine, SampleLine } from '../../server/protocol/runs';
import type { RunSummary } from '../../server/protocol/lsp';

const ROOT = resolve(__dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Bundles the webview exactly as scripts/build.mjs does (browser, iife, es2022) into out/webview.js. */
export async function buildWebview(): Promise<void> {
  await esbuild.build({
    entryPoints: { webview: join(ROOT, 'webview/main.ts') }, outdir: join(ROOT, 'out'), bundle: true, sourcemap: true,
    platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning', legalComments: 'none',
  });
}

/** VS Code's theme variables for the colours the charts read, per body class (as contributes.colors declares them). */
export const THEME_CSS = `
body.vscode-dark { --vscode-editor-background: #1e1e1e; --vscode-foreground: #cccccc; --vscode-editor-foreground: #d4d4d4;
  --vscode-descriptionForeground: #9d9d9d; --vscode-panel-border: #3c3c3c; --vscode-editorWidget-border: #454545;
  --vscode-simpo-chart-loss: #3794ff; --vscode-simpo-chart-eval: #c586c0; --vscode-simpo-chart-chosen: #4ec9b0;
  --vscode-simpo-chart-rejected: #f14c4c; --vscode-simpo-chart-margin: #dcdcaa; --vscode-simpo-chart-memory: #ce9178;
  --vscode-simpo-chart-run1: #3794ff; --vscode-simpo-chart-run2: #f14c4c;
  --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616; --vscode-charts-red: #f14c4c; }
body.vscode-light { --vscode-editor-background: #ffffff; --vscode-foreground: #3b3b3b; --vscode-editor-foreground: #000000;
  --vscode-descriptionForeground: #717171; --vscode-panel-border: #e5e5e5; --vscode-editorWidget-border: #c8c8c8;
  --vscode-simpo-chart-loss: #005fb8; --vscode-simpo-chart-eval: #8b3d92; --vscode-simpo-chart-chosen: #007d6a;
  --vscode-simpo-chart-rejected: #c72e2e; --vscode-simpo-chart-margin: #8a6d00; --vscode-simpo-chart-memory: #a1441b;
  --vscode-simpo-chart-run1: #005fb8; --vscode-simpo-chart-run2: #c72e2e;
  --vscode-charts-blue: #1a85ff; --vscode-charts-green: #388a34; --vscode-charts-orange: #d18616; --vscode-charts-red: #e51400; }
`;

const SHIM = `
window.__posted = [];
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
let __state = window.__initialState;
let __acquired = false;
window.acquireVsCodeApi = () => {
  if (__acquired) throw new Error('acquireVsCodeApi may only be called once');
  __acquired = true;
  return { postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); }, getState: () => __state, setState: (s) => { __state = s; } };
};`;

export interface Harness {
  browser: Browser;
  url: string;
  /** the HTML served (the builder's, plus the shim and the theme variables) */
  html: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-liberation`);
  await buildWebview();
  await mkdir(ARTIFACTS, { recursive: true });
  const files: Record<string, [string, string]> = {
    '/out/webview.js': [join(ROOT, 'out/webview.js'), 'text/javascript'],
    '/media/webview.css': [join(ROOT, 'media/webview.css'), 'text/css'],
  };
  let html = '';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); return; }
    const f = files[path];
    if (!f) { res.writeHead(404); res.end(); return; }
    readFile(f[0]).then((b) => { res.writeHead(200, { 'content-type': f[1] }); res.end(b); }, () => { res.writeHead(500); res.end(); });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const nonce = makeNonce();
  html = buildWebviewHtml({ cspSource: origin, nonce, scriptUri: `${origin}/out/webview.js`, styleUri: `${origin}/media/webview.css`, title: 'SimPO charts' })
    .replace('<body>', '<body class="vscode-dark" data-vscode-theme-kind="vscode-dark">')
    .replace('</head>', `<style nonce="${nonce}">${THEME_CSS}</style>\n<script nonce="${nonce}">${SHIM}</script>\n</head>`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  return {
    browser, url: `${origin}/`, html,
    async close() { await browser.close(); await new Promise<void>((ok) => server.close(() => ok())); },
  };
}

/** A fresh page with the webview loaded; resolves once it posted `ready`. */
export async function openPage(h: Harness, size = { width: 1100, height: 1400 }): Promise<Page> {
  const page = await h.browser.newPage({ viewport: size, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(h.url);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return page;
}

export function pageErrors(page: Page): string[] { return (page as Page & { errors?: string[] }).errors ?? []; }

export async function send(page: Page, m: HostToWebview): Promise<void> {
  // as a JSON string: Playwright's own serialization of 50 000 objects takes seconds, a string does not
  await page.evaluate((json) => window.postMessage(JSON.parse(json), '*'), JSON.stringify(m));
}

export async function posted(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
}

export async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

/** Waits until the webview has rendered (two animation frames). */
export async function frames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok()))));
}

export async function points(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('canvas[data-chart]')]
    .map((c) => [(c as HTMLElement).dataset.chart!, Number((c as HTMLElement).dataset.points)])));
}

// ------------------------------------------------------------------ fixtures

export function run(id: string, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id, name: id, status: 'running', engine: 'onnxruntime-node', device: 'cpu', algorithm: 'simpo',
    created: '2026-11-23T06:00:00.000Z', totalSteps: 200, runDir: `/runs/${id}`, ...over,
  };
}

/**
 * Metrics lines shaped like the trainer's: a training line per step (loss falling, margins growing, accuracy rising,
 * warmup+cosine learning rate) and an evaluation line every `evalEvery` steps.
 */
export function metricsLines(n: number, opts: { seed?: number; evalEvery?: number; msPerStep?: number; memory?: number; start?: number } = {}): MetricsLine[] {
  const { seed = 1, evalEvery = 25, msPerStep = 500, memory = 900, start = 1 } = opts;
  let s = seed >>> 0;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
  const out: MetricsLine[] = [];
  const t0 = Date.parse('2026-11-23T06:00:00Z');
  for (let step = start; step < start + n; step++) {
    const p = step / (start + n);
    const margin = 2.5 * p + 0.3 * rnd();
    const chosen = -0.5 + 0.4 * p + 0.1 * rnd();
    const lr = (step < 10 ? step / 10 : 0.5 * (1 + Math.cos(Math.PI * p))) * 1e-6;
    out.push({
      step, epoch: p, time: t0 + step * msPerStep,
      loss: 0.69 * Math.exp(-2 * p) + 0.05 + 0.05 * rnd(),
      'rewards/chosen': chosen, 'rewards/rejected': chosen - margin, 'rewards/margins': margin,
      'rewards/accuracies': Math.min(1, 0.5 + 0.45 * p + 0.1 * rnd()),
      learning_rate: lr, grad_norm: 2 + 1.5 * rnd() + 3 * (1 - p),
      tokens_per_second: 1200 + 100 * rnd(), peak_memory_mb: memory + 20 * p,
    });
    if (evalEvery > 0 && step % evalEvery === 0) {
      out.push({ step, epoch: p, time: t0 + step * msPerStep + 1, eval_loss: 0.7 * Math.exp(-1.6 * p) + 0.08, 'eval_rewards/margins': 2 * p, 'eval_rewards/accuracies': 0.5 + 0.4 * p });
    }
  }
  return out;
}

export const SAMPLES: SampleLine[] = [
  { prompt: 'What is 17 + 25?', before: '17 + 25 = 32', after: '17 + 25 = 42', reference: '42', beforeCorrect: false, afterCorrect: true },
  { prompt: 'Name the capital of France.', before: 'Paris.', after: 'The capital of France is Paris.', beforeCorrect: true, afterCorrect: true },
  { prompt: 'Write <b>bold</b> as HTML?', before: '<script>alert(1)</script>', after: 'Use the <b> element.', beforeCorrect: false, afterCorrect: false },
];
