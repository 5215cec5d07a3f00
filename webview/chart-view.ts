// One chart card: heading, smoothing slider, log toggle, PNG button and a Chart.js line chart fed with
// {x, y} points (parsing off, LTTB decimation, no animation). Registers only the Chart.js parts it uses.
import {
  Chart, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation,
  type ChartDataset, type Plugin, type LegendItem, type ChartData, type TooltipItem,
} from 'chart.js';
import type { ChartId, ChartOptionsState, PanelMode } from '../server/protocol/webview';
import type { ChartDef, SeriesDef } from './chart-defs';
import { smooth, positiveOnly, type Point, type RunSeries } from './series';
import { withAlpha, type Palette } from './theme';
import { el } from './dom';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation);

/** A run as the charts see it: its label and its series. */
export interface ChartRun { id: string; label: string; data: RunSeries }

type LineDataset = ChartDataset<'line', Point[]>;

/** Paints the canvas background (so an exported PNG is readable) and publishes the drawn point count. */
const panelPlugin: Plugin<'line'> = {
  id: 'simpoPanel',
  beforeDraw(chart) {
    const bg = (chart.options.plugins as { simpoPanel?: { background?: string } }).simpoPanel?.background;
    if (!bg) return;
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = bg;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
  afterDraw(chart) {
    let n = 0;
    chart.data.datasets.forEach((_d, i) => { if (chart.isDatasetVisible(i)) n += chart.getDatasetMeta(i).data.length; });
    chart.canvas.dataset.points = String(n);
    chart.canvas.dataset.draws = String(Number(chart.canvas.dataset.draws ?? 0) + 1);
    chart.canvas.dataset.colors = chart.data.datasets.map((d) => String(d.borderColor)).join(';');
    chart.canvas.dataset.yScale = chart.scales.y?.type ?? '';
  },
};

/** The chart for a screen reader: each series' last value. */
function describe(title: string, datasets: readonly LineDataset[]): string {
  const parts = datasets
    .filter((d) => !(d as { simpoRaw?: boolean }).simpoRaw && d.data.length)
    .map((d) => { const p = d.data[d.data.length - 1]; return `${d.label} ${tickLabel(p.y)} at step ${p.x}`; });
  return parts.length ? `${title} chart: ${parts.join('; ')}` : `${title} chart: no data yet`;
}

/** Short tick labels: 1e-6 rather than 1.0000000E-6, 12k rather than 12,000 for steps. */
function tickLabel(v: number | string): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (a < 1e-3) return n.toExponential(1).replace('.0e', 'e');
  if (a >= 1e4) return `${Number((n / 1000).toFixed(1))}k`;
  if (a < 1 && !Number.isInteger(n)) return String(Number(n.toPrecision(3)));
  return String(Number(n.toPrecision(4)));
}

export class ChartView {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private chart: Chart<'line', Point[]> | undefined;
  private readonly empty: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly sliderValue: HTMLOutputElement;
  private readonly logBox: HTMLInputElement;
  /** versions of the runs last drawn, to skip work when nothing changed */
  private drawnKey = '';
  /** palette and scale type the chart options were last set for (changing options is not free in Chart.js) */
  private themedWith: Palette | undefined;
  private themedLog: boolean | undefined;

  constructor(
    readonly def: ChartDef,
    public options: ChartOptionsState,
    private readonly onOptions: (id: ChartId, o: ChartOptionsState) => void,
    private readonly onExport: (id: ChartId) => void,
  ) {
    const titleId = `chart-title-${def.id}`;
    this.slider = el('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(options.smoothing), 'aria-label': `Smoothing of ${def.title}`, 'data-control': 'smoothing' }) as HTMLInputElement;
    this.sliderValue = el('output', { 'aria-hidden': 'true' }, options.smoothing.toFixed(2)) as HTMLOutputElement;
    this.logBox = el('input', { type: 'checkbox', 'aria-label': `Log scale of ${def.title}`, 'data-control': 'log' }) as HTMLInputElement;
    this.logBox.checked = options.log && def.logAllowed;
    this.logBox.disabled = !def.logAllowed;
    const png = el('button', { type: 'button', 'data-control': 'png', 'aria-label': `Export ${def.title} as PNG`, title: 'Export as PNG' }, 'PNG');
    this.canvas = el('canvas', { 'data-chart': def.id, 'data-points': '0', role: 'img', 'aria-label': `${def.title} chart` }) as HTMLCanvasElement;
    this.empty = el('p', { class: 'chart-empty' }, `No ${def.title.toLowerCase()} data yet.`);
    this.element = el('section', { class: 'chart-card', 'aria-labelledby': titleId, 'data-card': def.id },
      el('header', { class: 'chart-header' },
        el('h2', { id: titleId }, def.title),
        el('div', { class: 'chart-controls' },
          el('label', { class: 'smoothing', title: 'Exponential moving average, as TensorBoard' }, 'Smoothing ', this.slider, this.sliderValue),
          el('label', { class: 'log', title: def.logAllowed ? 'Logarithmic y axis' : 'This chart has negative values' }, this.logBox, ' log'),
          png)),
      el('div', { class: 'chart-body' }, this.canvas, this.empty));
    this.slider.addEventListener('input', () => {
      this.options = { ...this.options, smoothing: Number(this.slider.value) };
      this.sliderValue.value = this.options.smoothing.toFixed(2);
      this.drawnKey = '';
      this.onOptions(def.id, this.options);
    });
    this.logBox.addEventListener('change', () => {
      this.options = { ...this.options, log: this.logBox.checked };
      this.drawnKey = '';
      this.onOptions(def.id, this.options);
    });
    png.addEventListener('click', () => this.onExport(def.id));
  }

  setOptions(o: ChartOptionsState): void {
    this.options = { smoothing: Math.min(0.99, Math.max(0, o.smoothing)), log: o.log && this.def.logAllowed };
    this.slider.value = String(this.options.smoothing);
    this.sliderValue.value = this.options.smoothing.toFixed(2);
    this.logBox.checked = this.options.log;
    this.drawnKey = '';
  }

  /** Rebuilds the datasets when data, options or palette changed; `force` after a theme switch. */
  render(runs: readonly ChartRun[], mode: PanelMode, palette: Palette, force = false): void {
    const key = `${mode}|${this.options.smoothing}|${this.options.log}|${runs.map((r) => `${r.id}:${r.data.version}`).join(',')}`;
    if (!force && key === this.drawnKey && this.chart) return;
    this.drawnKey = key;
    const datasets = this.datasets(runs, mode, palette);
    const hasData = datasets.some((d) => d.data.length > 0);
    this.empty.hidden = hasData;
    if (!this.chart) this.chart = this.create(palette);
    const current = this.chart.data.datasets;
    if (current.length === datasets.length && current.every((d, i) => d.label === datasets[i].label)) {
      // same series: update them in place, so Chart.js keeps its controllers and elements (a live append)
      datasets.forEach((d, i) => Object.assign(current[i], d));
    } else {
      this.chart.data.datasets = datasets;
    }
    this.fitX(this.chart, datasets);
    this.canvas.setAttribute('aria-label', describe(this.def.title, datasets));
    if (this.themedWith !== palette || this.themedLog !== this.options.log) {
      this.applyTheme(this.chart, palette);
      this.themedWith = palette;
      this.themedLog = this.options.log;
    }
    this.chart.update('none');
  }

  toPng(): string {
    return this.chart ? this.chart.toBase64Image('image/png', 1) : this.canvas.toDataURL('image/png');
  }

  destroy(): void { this.chart?.destroy(); this.chart = undefined; }

  private datasets(runs: readonly ChartRun[], mode: PanelMode, palette: Palette): LineDataset[] {
    const out: LineDataset[] = [];
    const compare = mode === 'compare';
    const series = compare ? this.def.series.filter((s) => !s.single) : this.def.series;
    runs.forEach((run, ri) => {
      series.forEach((s, si) => {
        const raw = run.data.series.get(s.key);
        if (!raw || raw.length === 0) return;
        const color = compare ? palette.run[ri % palette.run.length] : palette.role[s.role];
        const label = compare ? `${run.label} · ${s.label}` : s.label;
        const dash = compare && si > 0 && !s.eval ? [6, 3] : undefined;
        const log = this.options.log;
        const points = log ? positiveOnly(raw) : raw;
        const w = s.eval ? 0 : this.options.smoothing;
        if (w > 0) {
          // the raw series faded underneath, the smoothed one on top (as TensorBoard draws it)
          out.push(this.dataset(`${label} (raw)`, points.slice(), withAlpha(color, 0.25), s, dash, true));
          out.push(this.dataset(label, smooth(points, w), color, s, dash, false));
        } else {
          out.push(this.dataset(label, points.slice(), color, s, dash, false));
        }
      });
    });
    return out;
  }

  private dataset(label: string, data: Point[], color: string, s: SeriesDef, dash: number[] | undefined, faded: boolean): LineDataset {
    return {
      label, data,
      borderColor: color,
      backgroundColor: color,
      borderWidth: faded ? 1 : s.eval ? 1.5 : 1.75,
      borderDash: dash,
      pointRadius: s.eval ? 3 : 0,
      pointHoverRadius: 4,
      pointStyle: s.eval ? 'rectRot' : 'circle',
      showLine: true,
      yAxisID: s.axis ?? 'y',
      // legend entries of the faded raw lines are hidden
      ...(faded ? { simpoRaw: true } : {}),
    } as LineDataset;
  }

  private create(palette: Palette): Chart<'line', Point[]> {
    const hasY1 = this.def.series.some((s) => s.axis === 'y1');
    return new Chart<'line', Point[]>(this.canvas, {
      type: 'line',
      data: { datasets: [] },
      plugins: [panelPlugin],
      options: {
        parsing: false,
        normalized: true,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { callback: tickLabel } },
          y: { type: 'linear', title: { display: true, text: this.def.yTitle }, ticks: { callback: tickLabel } },
          ...(hasY1 ? { y1: { type: 'linear', position: 'right', title: { display: true, text: this.def.y1Title ?? '' }, grid: { drawOnChartArea: false }, ticks: { callback: tickLabel } } } : {}),
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb' },
          legend: {
            position: 'bottom',
            labels: { boxWidth: 12, boxHeight: 2, filter: (item: LegendItem, data: ChartData) => !(data.datasets[item.datasetIndex ?? 0] as { simpoRaw?: boolean }).simpoRaw },
          },
          tooltip: { enabled: true, filter: (item: TooltipItem<'line'>) => !(item.dataset as { simpoRaw?: boolean }).simpoRaw },
          simpoPanel: { background: palette.background },
        } as never,
      },
    });
  }

  /** x axis from 0 (or the first step) to the last step: nice ticks, no empty tail after the last point. */
  private fitX(chart: Chart<'line', Point[]>, datasets: LineDataset[]): void {
    let lo = Infinity; let hi = -Infinity;
    for (const d of datasets) {
      if (!d.data.length) continue;
      lo = Math.min(lo, d.data[0].x);
      hi = Math.max(hi, d.data[d.data.length - 1].x);
    }
    const x = chart.options.scales?.x as { min?: number; max?: number } | undefined;
    if (!x) return;
    if (!Number.isFinite(lo) || hi <= lo) { x.min = undefined; x.max = undefined; return; }
    const min = lo >= 0 && lo <= 0.1 * hi ? 0 : lo;
    if (x.min !== min) x.min = min;
    if (x.max !== hi) x.max = hi;
  }

  private applyTheme(chart: Chart<'line', Point[]>, palette: Palette): void {
    const o = chart.options;
    const scaleType = this.options.log ? 'logarithmic' : 'linear';
    for (const id of ['x', 'y', 'y1']) {
      const sc = o.scales?.[id] as Record<string, unknown> & { ticks?: Record<string, unknown>; grid?: Record<string, unknown>; title?: Record<string, unknown>; border?: Record<string, unknown> } | undefined;
      if (!sc) continue;
      if (id !== 'x') sc.type = scaleType;
      // autoSkipPadding: log axes put many ticks near the bottom; keep their labels apart
      sc.ticks = { ...sc.ticks, color: palette.muted, autoSkipPadding: id === 'x' ? 3 : 10 };
      sc.grid = { ...sc.grid, color: palette.grid };
      sc.border = { ...sc.border, color: palette.grid };
      sc.title = { ...sc.title, color: palette.muted };
    }
    if (o.plugins?.legend?.labels) o.plugins.legend.labels.color = palette.foreground;
    o.font = { ...o.font, family: palette.fontFamily, size: 11 };
    (o.plugins as { simpoPanel?: { background?: string } }).simpoPanel = { background: palette.background };
  }
}
