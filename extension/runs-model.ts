// The extension's view of every run in the workspace: a list kept current from the server (listRuns once when the
// server is ready, then every runsChanged notification). The tree, the status bar and the commands read it.
import * as vscode from 'vscode';
import type { RunSummary } from '../server/protocol/lsp';
import type { SimpoClient } from './client';

export class RunsModel implements vscode.Disposable {
  private list: RunSummary[] = [];
  private loaded = false;
  private readonly emitter = new vscode.EventEmitter<RunSummary[]>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly client: SimpoClient) {
    this.disposables.push(
      client.onRunsChanged((runs) => this.set(runs)),
      client.onReady(() => { void this.refresh(); }),
    );
  }

  /** newest first */
  get runs(): readonly RunSummary[] { return this.list; }
  get isLoaded(): boolean { return this.loaded; }
  get(id: string): RunSummary | undefined { return this.list.find((r) => r.id === id); }
  get running(): RunSummary[] { return this.list.filter((r) => r.status === 'running' || r.status === 'queued'); }

  async refresh(): Promise<void> {
    try {
      this.set(await this.client.listRuns());
    } catch (e) {
      this.client.log.warn(`listing runs failed: ${(e as Error).message}`);
    }
  }

  private set(runs: RunSummary[]): void {
    this.list = [...runs].sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || b.id.localeCompare(a.id));
    this.loaded = true;
    void vscode.commands.executeCommand('setContext', 'simpo.hasRuns', this.list.length > 0);
    void vscode.commands.executeCommand('setContext', 'simpo.runsLoaded', true);
    this.emitter.fire(this.list);
  }

  /** Resolves when `pred` holds for the list (tests and commands that wait for a run to appear or finish). */
  waitFor(pred: (runs: readonly RunSummary[]) => boolean, timeoutMs: number): Promise<readonly RunSummary[]> {
    if (pred(this.list)) return Promise.resolve(this.list);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out after ${timeoutMs} ms waiting for runs`)); }, timeoutMs);
      const sub = this.onDidChange((l) => { if (pred(l)) { clearTimeout(timer); sub.dispose(); resolve(l); } });
    });
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}
