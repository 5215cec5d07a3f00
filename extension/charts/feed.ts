// What a chart panel sends its webview, with no VS Code in it (so it is tested against a real run directory and the
// real webview): on `ready` init + each run's whole history + samples; then live appends (batched, throttled, with
// overlaps dropped and gaps re-read), run list changes, samples when a run ends.
import type { RunSummary, MetricsAppendedParams } from '../../server/protocol/lsp';
import type { HostToWebview, PanelMode, PanelState, RunsSource, ThemeKind } from '../../server/protocol/webview';
import { MetricsBatcher, type BatcherTimers } from './batcher';

export interface FeedOptions {
  mode: PanelMode;
  runIds: string[];
  source: RunsSource;
  post(m: HostToWebview): void;
  theme(): ThemeKind;
  log(message: string): void;
  state?: PanelState;
  /** ms between live posts (default 100: at most 10 a second) */
  intervalMs?: number;
  timers?: BatcherTimers;
}

export class PanelFeed {
  readonly mode: PanelMode;
  readonly runIds: string[];
  private state: PanelState;
  private runs: RunSummary[] = [];
  private readonly batcher: MetricsBatcher;
  private readonly samplesSent = new Set<string>();
  private generation = 0;
  private loaded = false;
  private waiters: (() => void)[] = [];
  private disposed = false;

  constructor(private readonly o: FeedOptions) {
    this.mode = o.mode;
    this.runIds = [...o.runIds];
    this.state = { ...o.state, mode: o.mode, runIds: this.runIds };
    this.batcher = new MetricsBatcher(
      (batches) => { for (const b of batches) this.post({ type: 'metrics', runId: b.runId, lines: b.lines, from: b.from }); },
      (runId, cursor) => { void this.catchUp(runId, cursor, this.generation); },
      o.intervalMs ?? 100, o.timers,
    );
  }

  get viewState(): PanelState { return this.state; }
  get summaries(): readonly RunSummary[] { return this.runs; }
  get isLoaded(): boolean { return this.loaded; }

  setState(s: PanelState): void { this.state = { ...s, mode: this.mode, runIds: this.runIds }; }

  /** Resolves once the webview has been sent its history (at once if it has). */
  whenLoaded(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    return new Promise((ok) => this.waiters.push(ok));
  }

  /** The webview went away (hidden without retained context): nothing is posted until it is ready again. */
  hidden(): void {
    this.loaded = false;
    this.generation++;
    this.batcher.reset();
  }

  /** The webview (re)loaded: send it everything. */
  async ready(): Promise<void> {
    const gen = ++this.generation;
    this.loaded = false;
    this.batcher.reset();
    this.samplesSent.clear();
    try {
      const all = await this.o.source.listRuns();
      if (gen !== this.generation) return;
      this.runs = this.runIds.map((id) => all.find((r) => r.id === id)).filter((r): r is RunSummary => !!r);
      const missing = this.runIds.filter((id) => !this.runs.some((r) => r.id === id));
      if (missing.length) this.o.log(`no run ${missing.join(', ')} in the run list`);
      this.post({ type: 'init', mode: this.mode, runs: this.runs, theme: this.o.theme(), state: this.state });
      await Promise.all(this.runIds.map((id) => this.catchUp(id, 0, gen)));
      if (gen !== this.generation) return;
      await Promise.all(this.runs.map((r) => this.sendSamples(r.id, false)));
      if (gen !== this.generation) return;
      this.loaded = true;
      for (const w of this.waiters.splice(0)) w();
    } catch (e) {
      this.o.log(`loading ${this.runIds.join(', ')} failed: ${(e as Error).message}`);
    }
  }

  metricsAppended(p: MetricsAppendedParams): void {
    if (this.runIds.includes(p.id)) this.batcher.add(p.id, p.lines, p.from);
  }

  runsChanged(all: readonly RunSummary[]): void {
    if (!this.loaded) return;
    const mine = this.runIds.map((id) => all.find((r) => r.id === id)).filter((r): r is RunSummary => !!r);
    const before = new Map(this.runs.map((r) => [r.id, r]));
    const changed = mine.some((r) => {
      const old = before.get(r.id);
      return !old || old.status !== r.status || old.step !== r.step || old.name !== r.name || old.error !== r.error;
    });
    if (!changed) return;
    this.runs = mine;
    this.batcher.flush(); // the lines before the status that ends the run
    this.post({ type: 'runs', runs: mine });
    // samples.jsonl is written when a run ends
    for (const r of mine) {
      const ended = r.status !== 'running' && r.status !== 'queued';
      if (ended && before.get(r.id)?.status !== r.status && !this.samplesSent.has(r.id)) void this.sendSamples(r.id, false);
    }
  }

  async requestSamples(runId: string): Promise<void> {
    if (this.runIds.includes(runId)) await this.sendSamples(runId, true);
  }

  /** Reads a run's metrics from `from` until caught up, posting them; live appends continue from there. */
  private async catchUp(runId: string, from: number, gen: number): Promise<void> {
    let cursor = from;
    for (let i = 0; i < 10_000; i++) {
      const r = await this.o.source.metrics(runId, cursor);
      if (gen !== this.generation || this.disposed) return;
      if (r.lines.length > 0 || cursor === 0) this.post({ type: 'metrics', runId, lines: r.lines, from: cursor });
      const next = Math.max(r.next, cursor + r.lines.length);
      if (r.lines.length === 0 || next <= cursor) break;
      cursor = next;
    }
    this.batcher.setCursor(runId, cursor);
  }

  private async sendSamples(runId: string, evenIfEmpty: boolean): Promise<void> {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) return;
    const samples = await this.o.source.readSamples(run.runDir);
    if (samples.length === 0 && !evenIfEmpty) return;
    this.samplesSent.add(runId);
    this.post({ type: 'samples', runId, samples });
  }

  private post(m: HostToWebview): void {
    if (!this.disposed) this.o.post(m);
  }

  dispose(): void {
    this.disposed = true;
    this.batcher.dispose();
    for (const w of this.waiters.splice(0)) w();
  }
}
