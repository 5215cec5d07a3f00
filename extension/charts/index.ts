// The chart panels: one per run (revealed if open) beside its config, one per set of compared runs; restored after
// a window reload by a WebviewPanelSerializer; export of a chart as PNG and of metrics as CSV through a save dialog,
// or to a given path (commands simpo.exportChart / simpo.exportCsv with arguments, for tests and scripts).
import * as vscode from 'vscode';
import * as path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { CHARTS_VIEW_TYPE, CHART_IDS, type ChartId, type PanelState, type RunsSource } from '../../server/protocol/webview';
import { ChartPanel, type PanelHost } from './panel';
import { metricsCsv } from './csv';

export interface ChartsApi {
  open(runId: string, besideUri?: vscode.Uri): void;
  compare(runIds: string[]): void;
}

/** Arguments of simpo.exportChart: without `path` a save dialog asks. */
export interface ExportChartArgs { runId?: string; runIds?: string[]; chart?: ChartId; path?: string }
/** Arguments of simpo.exportCsv: without `path` a save dialog asks; without run ids, the active panel's runs. */
export interface ExportCsvArgs { runId?: string; runIds?: string[]; path?: string }

export interface ChartsModule extends ChartsApi {
  /** open panels (for tests) */
  readonly panels: readonly ChartPanel[];
  /** PNG of a chart of a run's panel (opened if needed) written to `file`; returns the path */
  exportChart(args: ExportChartArgs): Promise<string | undefined>;
  exportCsv(args: ExportCsvArgs): Promise<string | undefined>;
}

function pngBytes(dataUrl: string): Buffer {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error(`the chart webview sent "${dataUrl.slice(0, 30)}..." instead of a data:image/png URL`);
  return Buffer.from(dataUrl.slice(prefix.length), 'base64');
}

/** The command argument as args: a run id string, a tree item or run ({id}), or an args object. */
function asArgs<T extends { runId?: string; runIds?: string[] }>(arg: unknown): T {
  if (typeof arg === 'string') return { runId: arg } as T;
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    if (typeof o.runId === 'string' || Array.isArray(o.runIds) || typeof o.path === 'string' || typeof o.chart === 'string') return o as T;
    const run = (o.run ?? o) as { id?: unknown };
    if (typeof run.id === 'string') return { runId: run.id } as T;
  }
  return {} as T;
}

/** Registers the panel serializer and the export commands. `log` gets messages without a prefix (the caller adds one). */
export function registerCharts(context: vscode.ExtensionContext, source: RunsSource, log: (m: string) => void = () => undefined): ChartsModule {
  const panels = new Map<string, ChartPanel>();
  let lastActive: ChartPanel | undefined;

  const host: PanelHost = {
    extensionUri: context.extensionUri,
    source,
    log,
    savePng: (panel, chart, dataUrl) => { void savePng(panel, chart, dataUrl); },
    saveCsv: (runIds) => { void exportCsv({ runIds }).catch(showError); },
    disposed: (p) => { if (panels.get(p.key) === p) panels.delete(p.key); if (lastActive === p) lastActive = undefined; },
  };

  function showError(e: Error): void {
    log(`${e.message}`);
    void vscode.window.showErrorMessage(`SimPO: ${e.message}`);
  }

  function track(p: ChartPanel): ChartPanel {
    panels.set(p.key, p);
    lastActive = p;
    const sub = p.panel.onDidChangeViewState((e) => { if (e.webviewPanel.active) lastActive = p; });
    p.panel.onDidDispose(() => sub.dispose());
    return p;
  }

  function openPanel(mode: 'single' | 'compare', runIds: string[], column: vscode.ViewColumn, preserveFocus: boolean): ChartPanel {
    const existing = panels.get(ChartPanel.key(mode, runIds));
    if (existing) { existing.panel.reveal(undefined, preserveFocus); lastActive = existing; return existing; }
    return track(ChartPanel.create(host, mode, runIds, column, preserveFocus));
  }

  function open(runId: string, besideUri?: vscode.Uri): ChartPanel {
    // beside the config (keeping the focus in it) when it is given; otherwise in the active group
    return openPanel('single', [runId], besideUri ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, !!besideUri);
  }

  function compare(runIds: string[]): ChartPanel | undefined {
    const ids = [...new Set(runIds)];
    if (ids.length === 0) return undefined;
    if (ids.length === 1) return open(ids[0]);
    return openPanel('compare', ids, vscode.ViewColumn.Active, false);
  }

  function panelFor(args: { runId?: string; runIds?: string[] }): ChartPanel | undefined {
    if (args.runIds && args.runIds.length > 1) return compare(args.runIds);
    const id = args.runId ?? args.runIds?.[0];
    if (id) return panels.get(ChartPanel.key('single', [id])) ?? open(id);
    return [...panels.values()].find((p) => p.active) ?? lastActive;
  }

  async function runDirOf(runIds: readonly string[]): Promise<string | undefined> {
    const runs = await source.listRuns();
    return runs.find((r) => r.id === runIds[0])?.runDir;
  }

  async function savePng(panel: ChartPanel, chart: ChartId, dataUrl: string, file?: string): Promise<string | undefined> {
    try {
      const bytes = pngBytes(dataUrl);
      if (!file) {
        const dir = await runDirOf(panel.runIds);
        const name = `${panel.runIds.join('-vs-')}-${chart}.png`;
        const uri = await vscode.window.showSaveDialog({
          title: 'SimPO: Export Chart as PNG', saveLabel: 'Export',
          defaultUri: dir ? vscode.Uri.file(path.join(dir, name)) : undefined, filters: { 'PNG image': ['png'] },
        });
        if (!uri) return undefined;
        file = uri.fsPath;
      }
      await writeFile(file, bytes);
      log(`wrote ${file}`);
      return file;
    } catch (e) { showError(e as Error); return undefined; }
  }

  async function exportChart(args: ExportChartArgs): Promise<string | undefined> {
    const panel = panelFor(args);
    if (!panel) { void vscode.window.showInformationMessage('SimPO: open a run\'s charts first.'); return undefined; }
    let chart = args.chart;
    if (chart && !CHART_IDS.includes(chart)) throw new Error(`unknown chart "${chart}": one of ${CHART_IDS.join(', ')}`);
    if (!chart) {
      if (args.path) chart = 'loss';
      else {
        const pick = await vscode.window.showQuickPick(CHART_IDS.map((id) => ({ label: id })), { title: 'SimPO: Export Chart as PNG' });
        if (!pick) return undefined;
        chart = pick.label as ChartId;
      }
    }
    const dataUrl = await panel.requestPng(chart);
    return savePng(panel, chart, dataUrl, args.path);
  }

  async function exportCsv(args: ExportCsvArgs): Promise<string | undefined> {
    let ids = args.runIds ?? (args.runId ? [args.runId] : undefined);
    if (!ids?.length) ids = ([...panels.values()].find((p) => p.active) ?? lastActive)?.runIds;
    if (!ids?.length) { void vscode.window.showInformationMessage('SimPO: open a run\'s charts first, or pick a run in the run browser.'); return undefined; }
    const runs = [];
    for (const id of ids) {
      const lines = [];
      let from = 0;
      for (let i = 0; i < 10_000; i++) {
        const r = await source.metrics(id, from);
        lines.push(...r.lines);
        const next = Math.max(r.next, from + r.lines.length);
        if (r.lines.length === 0 || next <= from) break;
        from = next;
      }
      runs.push({ id, lines });
    }
    let file = args.path;
    if (!file) {
      const dir = await runDirOf(ids);
      const uri = await vscode.window.showSaveDialog({
        title: 'SimPO: Export Metrics as CSV', saveLabel: 'Export',
        defaultUri: dir ? vscode.Uri.file(path.join(dir, `${ids.join('-vs-')}-metrics.csv`)) : undefined, filters: { CSV: ['csv'] },
      });
      if (!uri) return undefined;
      file = uri.fsPath;
    }
    await writeFile(file, metricsCsv(runs), 'utf8');
    log(`wrote ${file} (${runs.reduce((n, r) => n + r.lines.length, 0)} lines)`);
    return file;
  }

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(CHARTS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const s = state as PanelState | undefined;
        if (!s || !Array.isArray(s.runIds) || s.runIds.length === 0) { panel.dispose(); return; }
        const mode = s.mode === 'compare' ? 'compare' : 'single';
        const key = ChartPanel.key(mode, s.runIds);
        if (panels.has(key)) { panel.dispose(); return; }
        track(new ChartPanel(panel, mode, s.runIds, host, s));
      },
    }),
    vscode.commands.registerCommand('simpo.exportChart', (arg?: unknown) => exportChart(asArgs<ExportChartArgs>(arg)).catch((e: Error) => { showError(e); return undefined; })),
    vscode.commands.registerCommand('simpo.exportCsv', (arg?: unknown) => exportCsv(asArgs<ExportCsvArgs>(arg)).catch((e: Error) => { showError(e); return undefined; })),
    { dispose: () => { for (const p of [...panels.values()]) p.dispose(); } },
  );

  return {
    get panels() { return [...panels.values()]; },
    open: (runId, besideUri) => { open(runId, besideUri); },
    compare: (runIds) => { compare(runIds); },
    exportChart,
    exportCsv,
  };
}
