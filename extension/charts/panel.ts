// One chart panel (a WebviewPanel of viewType simpo.charts) showing one run, or several in compare mode. The data
// side is PanelFeed (feed.ts); this file is the VS Code side: HTML and CSP, subscriptions, theme, PNG requests.
// The webview is not kept alive while hidden (retainContextWhenHidden: false): it posts `ready` again when shown
// and gets everything again, with the view options it saved.
import * as vscode from 'vscode';
import type { RunSummary } from '../../server/protocol/lsp';
import {
  CHARTS_VIEW_TYPE, type ChartId, type HostToWebview, type PanelMode, type PanelState, type RunsSource,
  type ThemeKind, type WebviewToHost,
} from '../../server/protocol/webview';
import { buildWebviewHtml, makeNonce } from './html';
import { PanelFeed } from './feed';

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
  private readonly feed: PanelFeed;
  private readonly disposables: { dispose(): void }[] = [];
  private readonly subscribed: string[] = [];
  private readonly pngRequests = new Map<number, (dataUrl: string) => void>();
  private nextRequest = 1;
  private wasVisible = true;
  private isDisposed = false;

  constructor(readonly panel: vscode.WebviewPanel, readonly mode: PanelMode, readonly runIds: string[], private readonly host: PanelHost, state?: PanelState) {
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'simpo.svg');
    this.feed = new PanelFeed({
      mode, runIds, source: host.source, state, log: (m) => host.log(m), theme: () => themeKind(),
      post: (m) => this.post(m),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (!panel.visible && this.wasVisible) this.feed.hidden();
        this.wasVisible = panel.visible;
      }),
      vscode.window.onDidChangeActiveColorTheme((t) => this.post({ type: 'theme', theme: themeKind(t.kind) })),
      host.source.onMetricsAppended((p) => this.feed.metricsAppended(p)),
    );
    const changed = host.source.onRunsChanged?.((all) => {
      this.feed.runsChanged(all);
      this.panel.title = panelTitle(this.mode, this.runIds.map((id) => all.find((r) => r.id === id) ?? { id }));
    });
    if (changed) this.disposables.push(changed);
    for (const id of runIds) {
      this.subscribed.push(id);
      host.source.subscribe(id).catch((e: Error) => host.log(`subscribe ${id}: ${e.message}`));
    }
    this.render();
  }

  static key(mode: PanelMode, runIds: readonly string[]): string { return `${mode}:${[...runIds].sort().join(',')}`; }
  get key(): string { return ChartPanel.key(this.mode, this.runIds); }
  get viewState(): PanelState { return this.feed.viewState; }
  get active(): boolean { return this.panel.active; }
  get runSummaries(): readonly RunSummary[] { return this.feed.summaries; }
  whenLoaded(): Promise<void> { return this.feed.whenLoaded(); }

  /** Writes the HTML with a fresh nonce; the webview answers `ready`. */
  private render(): void {
    const w = this.panel.webview;
    const uri = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, ...p)).toString();
    this.panel.title = panelTitle(this.mode, this.runIds.map((id) => ({ id })));
    w.html = buildWebviewHtml({
      cspSource: w.cspSource, nonce: makeNonce(), scriptUri: uri('out', 'webview.js'), styleUri: uri('media', 'webview.css'), title: this.panel.title,
    });
  }

  /** A PNG data URL of one chart, drawn by the webview (shown first if hidden: a hidden webview does not exist). */
  async requestPng(chart: ChartId, timeoutMs = 15_000): Promise<string> {
    if (!this.panel.visible) this.panel.reveal(undefined, true);
    await this.whenLoaded();
    if (this.isDisposed) throw new Error('the chart panel was closed');
    const requestId = this.nextRequest++;
    return new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => { this.pngRequests.delete(requestId); reject(new Error(`the chart panel did not answer the PNG request for "${chart}" within ${timeoutMs} ms`)); }, timeoutMs);
      this.pngRequests.set(requestId, (d) => { clearTimeout(t); resolve(d); });
      this.post({ type: 'exportRequest', chart, requestId });
    });
  }

  private post(m: HostToWebview): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(m);
  }

  private onMessage(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready': void this.feed.ready(); break;
      case 'setState': this.feed.setState(m.state); break;
      case 'exportPng': {
        if (m.requestId === undefined) { this.host.savePng(this, m.chart, m.dataUrl); break; }
        const resolve = this.pngRequests.get(m.requestId);
        this.pngRequests.delete(m.requestId);
        resolve?.(m.dataUrl);
        break;
      }
      case 'exportCsv': this.host.saveCsv(m.runIds.filter((id) => this.runIds.includes(id))); break;
      case 'requestSamples': void this.feed.requestSamples(m.runId); break;
      case 'error': this.host.log(`webview: ${m.message}`); break;
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.feed.dispose();
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
