// The chart webview: receives init/metrics/runs/samples from the host (extension/charts/), draws the charts,
// the compare summary and the samples table, and posts ready/exportPng/exportCsv/setState back.
// Renders at most once per animation frame, however many messages arrive.
import type { RunSummary } from '../server/protocol/lsp';
import type { SampleLine } from '../server/protocol/runs';
import type {
  ChartId, ChartOptionsState, HostToWebview, PanelMode, PanelState, WebviewToHost,
} from '../server/protocol/webview';
import { CHART_DEFS } from './chart-defs';
import { ChartView, type ChartRun } from './chart-view';
import { RunSeries } from './series';
import { readPalette, observeTheme, type Palette } from './theme';
import { samplesTable, summaryTable } from './tables';
import { el } from './dom';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: WebviewToHost): void => vscode.postMessage(m);
const DEFAULT_OPTIONS: ChartOptionsState = { smoothing: 0, log: false };

class App {
  private mode: PanelMode = 'single';
  private runs: RunSummary[] = [];
  private readonly data = new Map<string, RunSeries>();
  private readonly samples = new Map<string, SampleLine[]>();
  private state: PanelState;
  private palette: Palette;
  private readonly views: ChartView[];
  private frame = 0;
  private forceNext = false;
  private samplesDirty = true;
  private summaryDrawn = '';

  private readonly title = el('h1', { id: 'panel-title' }, 'SimPO charts');
  private readonly status = el('p', { class: 'run-status', role: 'status', 'aria-live': 'polite' });
  private readonly emptyState = el('div', { class: 'empty-state', 'data-empty': 'true' },
    el('p', {}, 'No metrics yet.'), el('p', { class: 'hint' }, 'The charts fill in as soon as the run writes its first training step.'));
  private readonly grid = el('div', { class: 'charts-grid' });
  private readonly summary = el('section', { class: 'summary-section', 'aria-label': 'Run comparison summary' });
  private readonly samplesBody = el('div', { class: 'samples-body' });
  private readonly samplesSection: HTMLDetailsElement;

  constructor(root: HTMLElement) {
    const saved = vscode.getState() as PanelState | undefined;
    this.state = saved && Array.isArray(saved.runIds) ? saved : { mode: 'single', runIds: [] };
    this.palette = readPalette();
    this.views = CHART_DEFS.map((def) => new ChartView(def, this.state.charts?.[def.id] ?? DEFAULT_OPTIONS,
      (id, o) => this.onOptions(id, o), (id) => this.exportPng(id)));
    for (const v of this.views) this.grid.append(v.element);
    const csv = el('button', { type: 'button', 'data-action': 'export-csv', title: 'Export all metrics lines as CSV' }, 'Export CSV');
    csv.addEventListener('click', () => post({ type: 'exportCsv', runIds: this.runIds() }));
    this.samplesSection = el('details', { class: 'samples-section' },
      el('summary', {}, el('h2', {}, 'Samples: before and after training')), this.samplesBody) as HTMLDetailsElement;
    this.samplesSection.open = !!this.state.samplesOpen;
    this.samplesSection.addEventListener('toggle', () => {
      this.state = { ...this.state, samplesOpen: this.samplesSection.open };
      this.saveState();
      if (this.samplesSection.open) for (const id of this.runIds()) if (!this.samples.has(id)) post({ type: 'requestSamples', runId: id });
    });
    this.grid.hidden = true;
    this.summary.hidden = true;
    root.append(
      el('header', { class: 'toolbar' }, el('div', { class: 'titles' }, this.title, this.status), el('div', { class: 'actions' }, csv)),
      this.emptyState, this.summary, this.grid, this.samplesSection);
    observeTheme(() => this.onTheme());
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data as HostToWebview));
  }

  private runIds(): string[] { return this.runs.length ? this.runs.map((r) => r.id) : [...this.data.keys()]; }

  private onMessage(m: HostToWebview): void {
    try {
      switch (m.type) {
        case 'init':
          this.mode = m.mode;
          this.runs = m.runs;
          if (m.state) this.state = m.state;
          this.state = { ...this.state, mode: m.mode, runIds: m.runs.map((r) => r.id) };
          for (const v of this.views) v.setOptions(this.state.charts?.[v.def.id] ?? DEFAULT_OPTIONS);
          this.samplesSection.open = !!this.state.samplesOpen;
          this.saveState();
          this.samplesDirty = true;
          this.schedule();
          break;
        case 'runs': {
          const byId = new Map(m.runs.map((r) => [r.id, r]));
          this.runs = this.runs.map((r) => byId.get(r.id) ?? r);
          this.summaryDrawn = '';
          this.schedule();
          break;
        }
        case 'metrics': {
          let s = this.data.get(m.runId);
          if (!s) { s = new RunSeries(); this.data.set(m.runId, s); }
          if (s.apply(m.lines, m.from)) this.schedule();
          break;
        }
        case 'samples':
          this.samples.set(m.runId, m.samples);
          this.samplesDirty = true;
          this.schedule();
          break;
        case 'exportRequest':
          for (const v of this.views) if (!m.chart || m.chart === v.def.id) this.exportPng(v.def.id, m.requestId);
          break;
        case 'theme':
          this.onTheme();
          break;
      }
    } catch (e) {
      post({ type: 'error', message: String((e as Error).stack ?? e) });
    }
  }

  private onTheme(): void {
    this.palette = readPalette();
    this.forceNext = true;
    this.summaryDrawn = '';
    this.schedule();
  }

  private onOptions(id: ChartId, o: ChartOptionsState): void {
    this.state = { ...this.state, charts: { ...this.state.charts, [id]: o } };
    this.saveState();
    this.schedule();
  }

  private saveState(): void {
    vscode.setState(this.state);
    post({ type: 'setState', state: this.state });
  }

  private exportPng(id: ChartId, requestId?: number): void {
    const v = this.views.find((x) => x.def.id === id);
    if (!v) return;
    this.flush(); // draw what has arrived before taking the picture
    post({ type: 'exportPng', chart: id, dataUrl: v.toPng(), ...(requestId !== undefined ? { requestId } : {}) });
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  /** Renders now (cancelling a pending frame). */
  private flush(): void {
    if (this.frame) { cancelAnimationFrame(this.frame); this.frame = 0; }
    this.render();
  }

  private chartRuns(): ChartRun[] {
    const ids = this.runIds();
    const summaries = new Map(this.runs.map((r) => [r.id, r]));
    return ids.map((id) => {
      let data = this.data.get(id);
      if (!data) { data = new RunSeries(); this.data.set(id, data); }
      const r = summaries.get(id);
      return { id, label: r?.name || id, data };
    });
  }

  private render(): void {
    const runs = this.chartRuns();
    this.renderHeader();
    const hasData = runs.some((r) => r.data.lines.length > 0);
    this.emptyState.hidden = hasData;
    this.grid.hidden = !hasData;
    const force = this.forceNext;
    this.forceNext = false;
    if (hasData) for (const v of this.views) v.render(runs, this.mode, this.palette, force);
    this.renderSummary(runs);
    if (this.samplesDirty) { this.samplesDirty = false; this.renderSamples(runs); }
  }

  private renderHeader(): void {
    if (this.mode === 'compare') {
      this.title.textContent = `Compare: ${this.runs.map((r) => r.name || r.id).join(' vs ')}`;
      this.status.textContent = `${this.runs.length} runs`;
      document.title = this.title.textContent;
      return;
    }
    const r = this.runs[0];
    if (!r) return;
    this.title.textContent = `Charts: ${r.name || r.id}`;
    const step = r.step ?? this.data.get(r.id)?.lines.at(-1)?.step ?? 0;
    const parts = [r.status, `step ${step}/${r.totalSteps}`, r.algorithm, r.device].filter(Boolean);
    if (r.error) parts.push(`error: ${r.error}`);
    this.status.textContent = parts.join(' · ');
    document.title = this.title.textContent;
  }

  private renderSummary(runs: ChartRun[]): void {
    this.summary.hidden = this.mode !== 'compare';
    if (this.mode !== 'compare') return;
    const key = runs.map((r) => `${r.id}:${r.data.version}`).join(',');
    if (key === this.summaryDrawn) return;
    this.summaryDrawn = key;
    const algorithms = new Map(this.runs.map((r) => [r.id, r.algorithm]));
    this.summary.replaceChildren(el('h2', {}, 'Summary'), summaryTable(runs, algorithms, this.palette.run));
  }

  private renderSamples(runs: ChartRun[]): void {
    const tables = runs.map((r) => samplesTable(r.label, this.samples.get(r.id) ?? []));
    this.samplesBody.replaceChildren(...tables);
  }
}

window.addEventListener('error', (e) => post({ type: 'error', message: `${e.message} (${e.filename}:${e.lineno})` }));
const root = document.getElementById('root') ?? document.body;
new App(root);
post({ type: 'ready' });
