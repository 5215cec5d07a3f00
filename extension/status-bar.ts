// Live feedback for running runs: a status bar item (step of total, ETA, live loss; click: charts) and, for runs
// started from this window, a progress notification that follows the run until it ends (cancel = stop the run).
import * as vscode from 'vscode';
import type { RunSummary } from '../server/protocol/lsp';
import type { RunsModel } from './runs-model';
import { currentStep, eta, fmtDuration, fmtNum } from './format';

export function statusText(r: RunSummary, now = Date.now()): string {
  const step = currentStep(r);
  const parts = [`$(loading~spin) ${r.name || r.id}: step ${step}/${r.totalSteps || '?'}`];
  const left = eta(r, now);
  if (left !== undefined) parts.push(`ETA ${fmtDuration(left)}`);
  if (r.last?.loss !== undefined) parts.push(`loss ${fmtNum(r.last.loss, 3)}`);
  return parts.join(' · ');
}

export class RunStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('simpo.runStatus', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;
  constructor(private readonly model: RunsModel) {
    this.item.name = 'SimPO Run';
    this.sub = model.onDidChange(() => this.update());
    this.update();
  }
  update(): void {
    const running = this.model.runs.filter((r) => r.status === 'running');
    if (!running.length) { this.item.hide(); return; }
    const r = running[0];
    this.item.text = statusText(r) + (running.length > 1 ? ` (+${running.length - 1})` : '');
    this.item.tooltip = new vscode.MarkdownString(running.map((x) => `- ${statusText(x).replace('$(loading~spin) ', '')}`).join('\n'));
    this.item.command = { title: 'Open Charts', command: 'simpo.openCharts', arguments: [r.id] };
    this.item.show();
  }
  dispose(): void { this.sub.dispose(); this.item.dispose(); }
}

/** A notification that follows one run to its end. Cancelling it stops the run. */
export function followRunWithProgress(model: RunsModel, runId: string, stop: (id: string) => Promise<unknown>): Thenable<void> {
  const name = model.get(runId)?.name || runId;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `SimPO run "${name}"`, cancellable: true },
    (progress, token) => new Promise<void>((resolve) => {
      let reported = 0;
      const finish = () => { sub.dispose(); cancel.dispose(); resolve(); };
      const onRuns = () => {
        const r = model.get(runId);
        if (!r) return;
        if (r.status !== 'running' && r.status !== 'queued') { finish(); return; }
        const step = currentStep(r);
        const pct = r.totalSteps ? Math.min(100, (100 * step) / r.totalSteps) : 0;
        progress.report({ increment: Math.max(0, pct - reported), message: statusText(r).replace(/^\$\(loading~spin\) [^:]*: /, '') });
        reported = Math.max(reported, pct);
      };
      const sub = model.onDidChange(onRuns);
      const cancel = token.onCancellationRequested(() => { void stop(runId).catch(() => undefined); finish(); });
      onRuns();
    }),
  );
}
