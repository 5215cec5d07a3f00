// Averaging metrics over the steps of one logging window, as the reference trainer does (store_metrics + log):
// loss and the reward/logp/logit metrics are means over the window's steps; grad_norm and learning_rate are the
// last step's.
import type { StepMetrics } from '../engine/api';

const LAST = new Set(['grad_norm', 'learning_rate']);

export class MetricWindow {
  private sums = new Map<string, number>();
  private counts = new Map<string, number>();
  private last = new Map<string, number>();
  steps = 0;
  tokens = 0;
  started = Date.now();

  add(m: StepMetrics, tokens: number): void {
    this.steps++;
    this.tokens += tokens;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'number') continue;
      if (LAST.has(k)) this.last.set(k, v);
      else {
        this.sums.set(k, (this.sums.get(k) ?? 0) + v);
        this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
      }
    }
  }

  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.sums) out[k] = s / this.counts.get(k)!;
    for (const [k, v] of this.last) out[k] = v;
    return out;
  }

  reset(): void {
    this.sums.clear(); this.counts.clear(); this.last.clear();
    this.steps = 0; this.tokens = 0; this.started = Date.now();
  }
}

/** Weighted mean of per-batch evaluation metrics (weights: pairs per batch), names prefixed with eval_. */
export function evalSummary(perBatch: StepMetrics[], weights: number[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const ws: Record<string, number> = {};
  perBatch.forEach((m, i) => {
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'number' || LAST.has(k)) continue;
      sums[k] = (sums[k] ?? 0) + v * weights[i];
      ws[k] = (ws[k] ?? 0) + weights[i];
    }
  });
  const out: Record<string, number> = {};
  for (const k of Object.keys(sums)) out[`eval_${k}`] = sums[k] / ws[k];
  return out;
}

/** Non-padding tokens of a batch (what tokens_per_second counts). */
export function countTokens(mask: Int32Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

export function peakMemoryMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
