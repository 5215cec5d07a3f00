// One chart panel (a WebviewPanel of viewType simpo.charts) showing one run, or several in compare mode. Feeds the
// webview from the RunsSource: on `ready` the whole history, then live appends (batched, throttled), the run list,
// samples.jsonl. The webview is not kept alive while hidden (retainContextWhenHidden: false): it posts `ready` again
// when shown and gets everything again, with the view options it saved.
import * as vscode from 'vscode';
import type { RunSummary } from '../../server/protocol/lsp';
import {
  CHARTS_VIEW_TYPE, type ChartId, type HostToWebview, type PanelMode, type PanelState, type RunsSource,
  type ThemeKind, type WebviewToHost,
} from '../../server/protocol/webview';
import { buildWebviewHtml, makeNonce } from './html';
import { MetricsBatcher } from './batcher';

export function themeKind(kind: vscode.ColorThemeKind = vscode.window.activeColorTheme.kind): ThemeKind {
  switch (kind) {
    case vscode.ColorThemeKind.Light: return 'light';
    case vscode.ColorThemeKind.HighContrast: return 'high-contrast';
    case vscode.ColorThemeKind.HighContrastLight: return 'high-contrast-light';
    default: return 'dark';
  }
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function panelTitle(mode: PanelMode, runs: readonly { id: string; name?: string }[]): string {
  const names = runs.map((r) => r.name || r.id);
  return mode === 'compare' ? `Compare: ${names.join(' vs ')}` : `Charts: ${names[0] ?? ''}`;
}

export interface PanelHost {
  extensionUri: vscode.Uri;
  source: RunsSource;
  log(message: string): void;
  /** the user clicked PNG in the webview: ask where and write it */
  savePng(panel: ChartPanel, chart: ChartId, dataUrl: string): void;
  /** the user clicked Export CSV in the webview */
  saveCsv(runIds: string[]): void;
  disposed(panel: ChartPanel): void;
}

export class ChartPanel {
  private state: PanelState;
  private runs: RunSummary[] = [];
  private readonly batcher: MetricsBatcher;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly subscribed: string[] = [];
  private readonly samplesSent = new Set<string>();
  private readonly pngRequests = new Map<number, { chart: ChartId; resolve: (dataUrl: string) => void }>();
  private nextRequest = 1;
  private generation = 0;
  /** resolves each time the webview has been sent its history after a `ready` */
  private loadedWaiters: (() => void)[] = [];
  private loaded = false;
  private isDisposed = false;

  constructor(readonly panel: vscode.WebviewPanel, readonly mode: PanelMode, readonly runIds: string[], private readonly host: PanelHost, state?: PanelState) {
    this.state = { ...state, mode, runIds };
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'simpo.svg');
    this.batcher = new MetricsBatcher(
      (batches) => { for (const b of batches) this.post({ type: 'metrics', runId: b.runId, lines: b.lines, from: b.from }); },
      (runId, cursor) => { void this.catchUp(runId, cursor, this.generation); },
    );
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => { if (!panel.visible) { this.loaded = false; this.batcher.reset(); } }),
      vscode.window.onDidChangeActiveColorTheme((t) => this.post({ type: 'theme', theme: themeKind(t.kind) })),
      host.source.onMetricsAppended((p) => { if (this.runIds.includes(p.id)) this.batcher.add(p.id, p.lines, p.from); }),
    );
    const changed = host.source.onRunsChanged?.((all) => this.onRunsChanged(all));
    if (changed) this.disposables.push(changed);
    for (const id of runIds) {
      this.subscribed.push(id);
      host.source.subscribe(id).catch((e: Error) => host.log(`charts: subscribe ${id}: ${e.message}`));
    }
    this.render();
  }

  get key(): string { return ChartPanel.key(this.mode, this.runIds); }
  static key(mode: PanelMode, runIds: readonly string[]): string { return `${mode}:${[...runIds].sort().join(',')}`; }
  get viewState(): PanelState { return this.state; }
  get active(): boolean { return this.panel.active; }
  get runSummaries(): readonly RunSummary[] { return this.runs; }

  /** (Re)writes the HTML with a fresh nonce; the webview answers `ready`. */
  private render(): void {
    const w = this.panel.webview;
    const uri = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, ...p)).toString();
    this.panel.title = panelTitle(this.mode, this.runIds.map((id) => this.runs.find((r) => r.id === id) ?? { id }));
    w.html = buildWebviewHtml({
      cspSource: w.cspSource, nonce: makeNonce(), scriptUri: uri('out', 'webview.js'), styleUri: uri('media', 'webview.css'), title: this.panel.title,
    });
  }

  reveal(): void { this.panel.reveal(undefined, true); }

  /** Resolves once the webview has its history (right away if it has). */
  whenLoaded(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    return new Promise((ok) => this.loadedWaiters.push(ok));
  }

  /** A PNG data URL of one chart, drawn by the webview. */
  async requestPng(chart: ChartId, timeoutMs = 15_000): Promise<string> {
    await this.whenLoaded();
    const requestId = this.nextRequest++;
    return new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => { this.pngRequests.delete(requestId); reject(new Error(`the chart panel did not answer the PNG request for "${chart}" within ${timeoutMs} ms`)); }, timeoutMs);
      this.pngRequests.set(requestId, { chart, resolve: (d) => { clearTimeout(t); resolve(d); } });
      this.post({ type: 'exportRequest', chart, requestId });
    });
  }

  private post(m: HostToWebview): void {
    if (this.isDisposed) return;
    void this.panel.webview.postMessage(m);
  }

  private onMessage(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready': void this.load(); break;
      case 'setState': this.state = { ...m.state, mode: this.mode, runIds: this.runIds }; break;
      case 'exportPng': {
        const req = m.requestId !== undefined ? this.pngRequests.get(m.requestId) : undefined;
        if (req) { this.pngRequests.delete(m.requestId!); req.resolve(m.dataUrl); } else if (m.requestId === undefined) this.host.savePng(this, m.chart, m.dataUrl);
        break;
      }
      case 'exportCsv': this.host.saveCsv(m.runIds.filter((id) => this.runIds.includes(id))); break;
      case 'requestSamples': if (this.runIds.includes(m.runId)) void this.sendSamples(m.runId, true); break;
      case 'error': this.host.log(`charts webview: ${m.message}`); break;
    }
  }

  /** Everything the webview needs after a (re)load: init, the whole history of each run, samples. */
  private async load(): Promise<void> {
    const gen = ++this.generation;
    this.loaded = false;
    this.batcher.reset();
    this.samplesSent.clear();
    try {
      const all = await this.host.source.listRuns();
      this.runs = this.runIds.map((id) => all.find((r) => r.id === id)).filter((r): r is RunSummary => !!r);
      const missing = this.runIds.filter((id) => !this.runs.some((r) => r.id === id));
      if (missing.length) this.host.log(`charts: no run ${missing.join(', ')} in the run list`);
      this.panel.title = panelTitle(this.mode, this.runIds.map((id) => this.runs.find((r) => r.id === id) ?? { id }));
      if (gen !== this.generation) return;
      this.post({ type: 'init', mode: this.mode, runs: this.runs, theme: themeKind(), state: this.state });
      await Promise.all(this.runIds.map((id) => this.catchUp(id, 0, gen)));
      if (gen !== this.generation) return;
      for (const r of this.runs) void this.sendSamples(r.id, false);
      this.loaded = true;
      for (const w of this.loadedWaiters.splice(0)) w();
    } catch (e) {
      this.host.log(`charts: loading ${this.runIds.join(', ')} failed: ${(e as Error).message}`);
    }
  }

  /** Reads a run's metrics from `from` until caught up, posting them; then live appends continue from there. */
  private async catchUp(runId: string, from: number, gen: number): Promise<void> {
    let cursor = from;
    for (let i = 0; i < 10_000; i++) {
      const r = await this.host.source.metrics(runId, cursor);
      if (gen !== this.generation || this.isDisposed) return;
      if (r.lines.length > 0 || cursor === 0) this.post({ type: 'metrics', runId, lines: r.lines, from: cursor });
      const next = Math.max(r.next, cursor + r.lines.length);
      if (r.lines.length === 0 || next <= cursor) { this.batcher.setCursor(runId, cursor); return; }
      cursor = next;
    }
    this.batcher.setCursor(runId, cursor);
  }

  private async sendSamples(runId: string, evenIfEmpty: boolean): Promise<void> {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) return;
    const samples = await this.host.source.readSamples(run.runDir);
    if (samples.length === 0 && !evenIfEmpty) return;
    this.samplesSent.add(runId);
    this.post({ type: 'samples', runId, samples });
  }

  private onRunsChanged(all: readonly RunSummary[]): void {
    if (!this.loaded) return;
    const mine = this.runIds.map((id) => all.find((r) => r.id === id)).filter((r): r is RunSummary => !!r);
    const changed = mine.some((r) => {
      const old = this.runs.find((o) => o.id === r.id);
      return !old || old.status !== r.status || old.step !== r.step || old.name !== r.name;
    });
    if (!changed) return;
    const finished = mine.filter((r) => r.status !== 'running' && r.status !== 'queued' && this.runs.find((o) => o.id === r.id)?.status !== r.status);
    this.runs = mine;
    this.post({ type: 'runs', runs: mine });
    // samples.jsonl is written when a run ends
    for (const r of finished) if (!this.samplesSent.has(r.id)) void this.sendSamples(r.id, false);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.batcher.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const id of this.subscribed.splice(0)) this.host.source.unsubscribe(id).catch(() => undefined);
    this.panel.dispose();
    this.host.disposed(this);
  }

  static create(host: PanelHost, mode: PanelMode, runIds: string[], column: vscode.ViewColumn, preserveFocus: boolean): ChartPanel {
    const panel = vscode.window.createWebviewPanel(CHARTS_VIEW_TYPE, panelTitle(mode, runIds.map((id) => ({ id }))), { viewColumn: column, preserveFocus }, webviewOptions(host.extensionUri));
    return new ChartPanel(panel, mode, runIds, host);
  }
}
