// The Runs view of the SimPO activity-bar container: one item per run, newest first, stable ids (the run id), a
// status icon (spinning while running), a one-line description and a Markdown tooltip. Item menus are chosen by
// contextValue `run.<status>` (package.json: view/item/context).
import * as vscode from 'vscode';
import type { RunSummary } from '../server/protocol/lsp';
import type { RunStatus } from '../server/protocol/runs';
import type { RunsModel } from './runs-model';
import { describeRun, runTooltipMarkdown } from './format';

export const RUNS_VIEW_ID = 'simpo.runs';

const ICONS: Record<RunStatus, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.yellow')),
  running: new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('charts.blue')),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  stopped: new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('disabledForeground')),
};

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunSummary) {
    super(run.name || run.id, vscode.TreeItemCollapsibleState.None);
    this.id = run.id;
    this.description = describeRun(run);
    this.iconPath = ICONS[run.status] ?? new vscode.ThemeIcon('circle-outline');
    const md = new vscode.MarkdownString(runTooltipMarkdown(run), true);
    md.isTrusted = false;
    this.tooltip = md;
    this.contextValue = `run.${run.status}`;
    this.command = { title: 'Open Charts', command: 'simpo.openCharts', arguments: [run.id] };
    this.resourceUri = vscode.Uri.file(run.runDir);
  }
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RunItem | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;
  constructor(private readonly model: RunsModel) {
    this.sub = model.onDidChange(() => this.emitter.fire());
  }
  getTreeItem(e: RunItem): vscode.TreeItem { return e; }
  getChildren(e?: RunItem): RunItem[] {
    if (e) return [];
    return this.model.runs.map((r) => new RunItem(r));
  }
  getParent(): undefined { return undefined; }
  dispose(): void { this.sub.dispose(); this.emitter.dispose(); }
}

export function registerRunsTree(context: vscode.ExtensionContext, model: RunsModel): { provider: RunsTreeProvider; view: vscode.TreeView<RunItem> } {
  const provider = new RunsTreeProvider(model);
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: false });
  const badge = () => {
    const n = model.running.length;
    view.badge = n ? { value: n, tooltip: `${n} run${n > 1 ? 's' : ''} in progress` } : undefined;
  };
  context.subscriptions.push(provider, view, model.onDidChange(badge));
  return { provider, view };
}
