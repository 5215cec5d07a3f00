// The data side of the chart panels, on top of the language client: the run list, metrics (from a line index),
// live appends for subscribed runs, and a run's samples.jsonl. The charts module (extension/charts/) reads runs
// only through this, so it knows nothing of the language client.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { RunSummary, MetricsResult, MetricsAppendedParams } from '../server/protocol/lsp';
import { RUN_FILES, type SampleLine } from '../server/protocol/runs';
import type { RunsSource } from '../server/protocol/webview';
import type { SimpoClient } from './client';
import type { RunsModel } from './runs-model';

export class ClientRunsSource implements RunsSource {
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

  /** The server pushes metricsAppended for this run until unsubscribe (reference-counted per run). */
  subscribe(id: string): Promise<void> { return this.client.subscribe(id); }
  unsubscribe(id: string): Promise<void> { return this.client.unsubscribe(id); }
  onMetricsAppended(cb: (p: MetricsAppendedParams) => void): vscode.Disposable { return this.client.onMetricsAppended(cb); }

  /** samples.jsonl of a run directory, parsed, tolerating a torn last line. */
  async readSamples(runDir: string): Promise<SampleLine[]> {
    let text: string;
    try { text = await readFile(path.join(runDir, RUN_FILES.samples), 'utf8'); } catch { return []; }
    return parseSamples(text);
  }

  /** A file of the run directory as text (undefined when absent). */
  async readFile(id: string, name: string): Promise<string | undefined> {
    const run = await this.getRun(id);
    if (!run) return undefined;
    const p = path.join(run.runDir, name);
    if (path.relative(run.runDir, p).startsWith('..')) throw new Error(`${name} is outside the run directory`);
    try { return await readFile(p, 'utf8'); } catch { return undefined; }
  }

}

function parseSamples(text: string): SampleLine[] {
  const out: SampleLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try { out.push(JSON.parse(line) as SampleLine); } catch { /* a partial line being written */ }
  }
  return out;
}
