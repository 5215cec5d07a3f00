// Live metrics for a panel, batched and throttled: appended lines are collected per run and posted at most once
// per `intervalMs` (100 ms: at most 10 posts a second), the first batch after a quiet spell at once. Keeps each run's
// cursor (the metrics.jsonl line index the webview has up to) so overlaps are dropped and gaps are reported.
import type { MetricsLine } from '../../server/protocol/runs';

export interface MetricsBatch { runId: string; lines: MetricsLine[]; from: number }

export interface BatcherTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}
const realTimers: BatcherTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class MetricsBatcher {
  private readonly pending = new Map<string, MetricsBatch>();
  private readonly cursors = new Map<string, number>();
  private timer: unknown;
  private lastFlush = -Infinity;

  /**
   * @param post receives the batches of a flush
   * @param onGap called when lines arrive past the cursor (some were missed): the owner re-reads from the cursor
   */
  constructor(
    private readonly post: (batches: MetricsBatch[]) => void,
    private readonly onGap: (runId: string, cursor: number) => void,
    private readonly intervalMs = 100,
    private readonly timers: BatcherTimers = realTimers,
  ) {}

  /** The webview has lines [0, next) of this run (after a full load); later appends continue from there. */
  setCursor(runId: string, next: number): void {
    this.cursors.set(runId, next);
    this.pending.delete(runId);
  }
  cursor(runId: string): number | undefined { return this.cursors.get(runId); }
  /** Forget a run's cursor (the webview was reloaded): appends wait until setCursor. */
  reset(): void { this.cursors.clear(); this.pending.clear(); this.cancel(); }

  add(runId: string, lines: readonly MetricsLine[], from: number): void {
    const pend = this.pending.get(runId);
    const cursor = pend ? pend.from + pend.lines.length : this.cursors.get(runId);
    if (cursor === undefined) return; // still loading: the full load will include these lines
    if (from > cursor) { this.onGap(runId, cursor); return; }
    const skip = cursor - from;
    if (skip >= lines.length) return;
    const fresh = lines.slice(skip);
    if (pend) pend.lines.push(...fresh);
    else this.pending.set(runId, { runId, lines: fresh, from: cursor });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => { this.timer = undefined; this.flush(); }, wait);
  }

  /** Posts what is pending now. */
  flush(): void {
    this.cancel();
    if (this.pending.size === 0) return;
    const batches = [...this.pending.values()];
    this.pending.clear();
    for (const b of batches) this.cursors.set(b.runId, b.from + b.lines.length);
    this.lastFlush = this.timers.now();
    this.post(batches);
  }

  private cancel(): void {
    if (this.timer !== undefined) { this.timers.clearTimeout(this.timer); this.timer = undefined; }
  }

  dispose(): void { this.cancel(); this.pending.clear(); }
}
