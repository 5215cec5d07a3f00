// The data side of the chart panels, on top of the language client: the run list, metrics (from a line index),
// live appends for subscribed runs, and a run's samples.jsonl. The charts module (extension/charts/) reads runs
// only through this, so it knows nothing of the language client.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { RunSummary, MetricsResult, MetricsAppendedParams } from '../server/protocol/lsp';
import { RUN_FILES, type SampleLine } from '../server/protocol/runs';
import type { SimpoClient } from './client';
import type { RunsModel } from './runs-model';

export class ClientRunsSource {
  constructor(private readonly client: SimpoClient, private readonly model: RunsModel) {}

  /** every run, newest first */
  async listRuns(): Promise<RunSummary[]> {
    if (!this.model.isLoaded) await this.model.refresh();
    return [...this.model.runs];
  }
  async getRun(id: string): Promise<RunSummary | undefined> {
    return this.model.get(id) ?? (await this.listRuns()).find((r) => r.id === id);
  }
  readonly onRunsChanged: vscode.Event<readonly RunSummary[]> = (l, thisArg, d) => this.model.onDidChange(l, thisArg, d);

  metrics(id: string, from = 0): Promise<MetricsResult> { return this.client.metrics(id, from); }

  /** Live metrics lines of one run until the returned disposable is disposed. */
  subscribe(id: string, onLines: (p: MetricsAppendedParams) => void): vscode.Disposable {
    const sub = this.client.onMetricsAppended((p) => { if (p.id === id) onLines(p); });
    void this.client.subscribe(id).catch((e) => this.client.log.warn(`subscribe ${id}: ${(e as Error).message}`));
    return new vscode.Disposable(() => { sub.dispose(); void this.client.unsubscribe(id); });
  }

  /** A file of the run directory as text (undefined when absent). */
  async readFile(id: string, name: string): Promise<string | undefined> {
    const run = await this.getRun(id);
    if (!run) return undefined;
    const p = path.join(run.runDir, name);
    if (path.relative(run.runDir, p).startsWith('..')) throw new Error(`${name} is outside the run directory`);
    try { return await readFile(p, 'utf8'); } catch { return undefined; }
  }

  /** samples.jsonl parsed, tolerating a torn last line. */
  async samples(id: string): Promise<SampleLine[]> {
    const text = await this.readFile(id, RUN_FILES.samples);
    if (!text) return [];
    const out: SampleLine[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try { out.push(JSON.parse(line) as SampleLine); } catch { /* partial line being written */ }
    }
    return out;
  }
}
