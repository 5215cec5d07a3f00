// Pure data side of the charts: per-run series built incrementally from metrics lines, EMA smoothing (as
// TensorBoard does it, debiased), log-scale filtering and the compare summary. No DOM, no Chart.js.
import type { MetricsLine } from '../server/protocol/runs';

export interface Point { x: number; y: number }

/** Everything known of one run's metrics: its lines (for CSV/summary) and one {x: step, y} series per key. */
export class RunSeries {
  readonly lines: MetricsLine[] = [];
  readonly series = new Map<string, Point[]>();
  /** bumps on every change so renderers know what to redraw */
  version = 0;

  /** Applies a metrics message: `from` is the index of lines[0] in metrics.jsonl. Returns whether anything changed. */
  apply(lines: readonly MetricsLine[], from: number): boolean {
    if (from === 0 && this.lines.length > 0 && lines.length > 0) this.clear();
    // Overlap with what we have: skip the lines already applied; a gap appends anyway (nothing to fill it with).
    const skip = Math.max(0, this.lines.length - from);
    if (skip >= lines.length) return false;
    for (let i = skip; i < lines.length; i++) this.push(lines[i]);
    this.version++;
    return true;
  }

  private push(line: MetricsLine): void {
    this.lines.push(line);
    const x = line.step;
    if (typeof x !== 'number' || !Number.isFinite(x)) return;
    for (const key in line) {
      if (key === 'step' || key === 'epoch' || key === 'time') continue;
      const y = line[key];
      if (typeof y !== 'number' || !Number.isFinite(y)) continue;
      let s = this.series.get(key);
      if (!s) { s = []; this.series.set(key, s); }
      // keep x sorted and unique (decimation and the x lookup need it): a resumed run that logs a step again
      // replaces the tail from that step on
      while (s.length && s[s.length - 1].x >= x) s.pop();
      s.push({ x, y });
    }
  }

  clear(): void { this.lines.length = 0; this.series.clear(); this.version++; }
}

/**
 * Exponential moving average with TensorBoard's debiasing: weight in [0, 1); 0 returns the input.
 * Non-finite values are passed through without touching the average.
 */
export function smooth(points: readonly Point[], weight: number): Point[] {
  if (!(weight > 0)) return points.slice();
  const w = Math.min(weight, 0.999);
  const out: Point[] = new Array(points.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (!Number.isFinite(p.y)) { out[i] = p; continue; }
    last = last * w + (1 - w) * p.y;
    n++;
    out[i] = { x: p.x, y: last / (1 - Math.pow(w, n)) };
  }
  return out;
}

/** Points a log axis can draw (y > 0). */
export function positiveOnly(points: readonly Point[]): Point[] {
  return points.filter((p) => p.y > 0);
}

/** One row of the compare summary table. */
export interface RunSummaryRow {
  steps: number;
  /** mean wall-clock ms per optimizer step over the training lines */
  msPerStep?: number;
  peakMemoryMb?: number;
  finalAccuracy?: number;
  finalEvalAccuracy?: number;
  finalLoss?: number;
}

export function summarize(lines: readonly MetricsLine[]): RunSummaryRow {
  let first: MetricsLine | undefined;
  let last: MetricsLine | undefined;
  let peak: number | undefined;
  let acc: number | undefined;
  let evalAcc: number | undefined;
  let loss: number | undefined;
  for (const l of lines) {
    const isTrain = typeof l.loss === 'number';
    if (isTrain) { first ??= l; last = l; loss = l.loss; }
    if (typeof l['rewards/accuracies'] === 'number') acc = l['rewards/accuracies'];
    if (typeof l['eval_rewards/accuracies'] === 'number') evalAcc = l['eval_rewards/accuracies'];
    const m = l.peak_memory_mb;
    if (typeof m === 'number' && Number.isFinite(m)) peak = peak === undefined ? m : Math.max(peak, m);
  }
  let msPerStep: number | undefined;
  if (first && last && last.step > first.step && Number.isFinite(last.time - first.time)) {
    msPerStep = (last.time - first.time) / (last.step - first.step);
  }
  return { steps: last?.step ?? 0, msPerStep, peakMemoryMb: peak, finalAccuracy: acc, finalEvalAccuracy: evalAcc, finalLoss: loss };
}
