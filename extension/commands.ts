// Every `simpo.*` command. Each takes optional arguments (a run id, a tree item, a Uri, an options object) so menus
// and tests can skip the pickers and dialogs; without arguments it asks the user.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { RunSummary, StartRunResult } from '../server/protocol/lsp';
import { RUN_FILES } from '../server/protocol/runs';
import type { SimpoClient } from './client';
import type { RunsModel } from './runs-model';
import { RunItem } from './runs-tree';
import { followRunWithProgress } from './status-bar';
import { requireTrust } from './trust';
import { newConfig, type NewConfigArgs } from './new-config';
import { openExample, type OpenExampleArgs } from './example';
import { settings } from './settings';

/** What the charts module offers (extension/charts/index.ts). */
export interface ChartsApi {
  open(runId: string, besideUri?: vscode.Uri): void;
  compare(runIds: string[]): void;
}

export interface CommandDeps {
  context: vscode.ExtensionContext;
  client: SimpoClient;
  model: RunsModel;
  charts: ChartsApi;
  log: vscode.LogOutputChannel;
  activationMs: () => number;
}

type RunArg = string | RunItem | { id: string } | vscode.Uri | undefined;

function runIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof RunItem) return arg.run.id;
  if (arg instanceof vscode.Uri) return path.basename(arg.fsPath);
  if (arg && typeof arg === 'object' && 'id' in arg && typeof (arg as { id: unknown }).id === 'string') return (arg as { id: string }).id;
  return undefined;
}

export function isConfigDocument(doc: vscode.TextDocument): boolean {
  if (doc.languageId !== 'yaml' || doc.uri.scheme !== 'file') return false;
  return settings(doc.uri).configGlobs.some((pattern) => vscode.languages.match({ pattern }, doc) > 0);
}

async function pickRun(model: RunsModel, title: string, filter: (r: RunSummary) => boolean = () => true): Promise<RunSummary | undefined> {
  if (!model.isLoaded) await model.refresh();
  const runs = model.runs.filter(filter);
  if (!runs.length) { void vscode.window.showInformationMessage(`SimPO: no run to choose for "${title}".`); return undefined; }
  const pick = await vscode.window.showQuickPick(runs.map((r) => ({ label: r.name || r.id, description: `${r.status} · ${r.id}`, run: r })), { title });
  return pick?.run;
}

async function resolveRun(model: RunsModel, arg: RunArg, title: string, filter?: (r: RunSummary) => boolean): Promise<RunSummary | undefined> {
  const id = runIdOf(arg);
  if (!id) return pickRun(model, title, filter);
  let run = model.get(id);
  if (!run) { await model.refresh(); run = model.get(id); }
  if (!run) void vscode.window.showErrorMessage(`SimPO: no run "${id}" in this workspace.`);
  return run;
}

async function findConfigs(): Promise<vscode.Uri[]> {
  const found = new Map<string, vscode.Uri>();
  for (const glob of settings().configGlobs) {
    for (const u of await vscode.workspace.findFiles(glob, '**/{node_modules,.simpo}/**', 200)) found.set(u.toString(), u);
  }
  return [...found.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

async function pickConfig(title: string): Promise<vscode.Uri | undefined> {
  const configs = await findConfigs();
  if (!configs.length) {
    const pick = await vscode.window.showWarningMessage('SimPO: no training config in this workspace (*.simpo.yaml or training_configs/*.yaml).', 'New Config', 'Open Example');
    if (pick === 'New Config') await vscode.commands.executeCommand('simpo.newConfig');
    if (pick === 'Open Example') await vscode.commands.executeCommand('simpo.openExample');
    return undefined;
  }
  if (configs.length === 1) return configs[0];
  const pick = await vscode.window.showQuickPick(configs.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { title, placeHolder: 'Which config?' });
  return pick?.uri;
}

export interface StartRunArgs { configPath?: string; dataset?: string; name?: string; openCharts?: boolean; progress?: boolean }

export function registerCommands(d: CommandDeps): void {
  const { context, client, model, charts, log } = d;
  const reg = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try { return await fn(...args); } catch (e) {
        const msg = (e as Error).message ?? String(e);
        log.error(`${id}: ${msg}`);
        void vscode.window.showErrorMessage(`SimPO: ${msg}`);
        return undefined;
      }
    }));

  async function start(configUri: vscode.Uri, opts: StartRunArgs): Promise<StartRunResult | undefined> {
    if (!requireTrust()) return undefined;
    const open = vscode.workspace.textDocuments.find((t) => t.uri.fsPath === configUri.fsPath);
    if (open?.isDirty) await open.save();
    const result = await client.startRun({ configPath: configUri.fsPath, dataset: opts.dataset, name: opts.name });
    log.info(`started run ${result.run.id} from ${configUri.fsPath} in ${result.runDir}`);
    await model.refresh();
    if (opts.progress !== false) void followRunWithProgress(model, result.run.id, (id) => client.stopRun(id));
    if (opts.openCharts ?? vscode.workspace.getConfiguration('simpo').get<boolean>('openChartsOnStart', true)) charts.open(result.run.id, configUri);
    return result;
  }

  // Start Run: (Uri of a config) | (StartRunArgs) | nothing: the active config, else a pick.
  reg('simpo.startRun', async (arg?: vscode.Uri | StartRunArgs) => {
    if (!requireTrust()) return undefined;
    let uri: vscode.Uri | undefined;
    let opts: StartRunArgs = {};
    if (arg instanceof vscode.Uri) uri = arg;
    else if (arg && typeof arg === 'object') { opts = arg; if (arg.configPath) uri = vscode.Uri.file(arg.configPath); }
    if (!uri) {
      const doc = vscode.window.activeTextEditor?.document;
      uri = doc && isConfigDocument(doc) ? doc.uri : await pickConfig('SimPO: Start Run');
    }
    if (!uri) return undefined;
    return start(uri, opts);
  });

  // Start Run on Dataset...: (Uri of a .jsonl/.json/.parquet, then {configPath} or a pick)
  reg('simpo.startRunOnDataset', async (dataset?: vscode.Uri, arg?: StartRunArgs | vscode.Uri[]) => {
    if (!requireTrust()) return undefined;
    if (!(dataset instanceof vscode.Uri)) {
      const picked = await vscode.window.showOpenDialog({ title: 'Preference dataset', canSelectMany: false, filters: { 'Preference pairs': ['jsonl', 'json', 'parquet'] } });
      dataset = picked?.[0];
      if (!dataset) return undefined;
    }
    const opts: StartRunArgs = arg && !Array.isArray(arg) ? arg : {};
    const config = opts.configPath ? vscode.Uri.file(opts.configPath) : await pickConfig(`SimPO: train on ${path.basename(dataset.fsPath)} with which config?`);
    if (!config) return undefined;
    return start(config, { ...opts, dataset: dataset.fsPath });
  });

  reg('simpo.stopRun', async (arg?: RunArg) => {
    const run = await resolveRun(model, arg, 'SimPO: Stop Run', (r) => r.status === 'running' || r.status === 'queued');
    if (!run) return undefined;
    await client.stopRun(run.id);
    log.info(`stop requested for ${run.id}`);
    await model.refresh();
    return run.id;
  });

  reg('simpo.openCharts', async (arg?: RunArg) => {
    const run = await resolveRun(model, arg, 'SimPO: Open Charts');
    if (!run) return undefined;
    const beside = run.configPath && existsSync(run.configPath) ? vscode.Uri.file(run.configPath) : undefined;
    charts.open(run.id, beside);
    return run.id;
  });

  // Compare Runs: (ids[]) | (clicked item, selected items) from the tree | nothing: a multi-pick of two or more.
  reg('simpo.compareRuns', async (arg?: RunArg | RunArg[], selected?: RunArg[]) => {
    let ids: string[] = [];
    if (Array.isArray(selected) && selected.length > 1) ids = selected.map(runIdOf).filter((x): x is string => !!x);
    else if (Array.isArray(arg)) ids = arg.map(runIdOf).filter((x): x is string => !!x);
    if (ids.length < 2) {
      if (!model.isLoaded) await model.refresh();
      const first = runIdOf(arg);
      const picks = await vscode.window.showQuickPick(
        model.runs.map((r) => ({ label: r.name || r.id, description: `${r.algorithm ?? ''} · ${r.status} · ${r.id}`, picked: r.id === first, id: r.id })),
        { title: 'SimPO: Compare Runs (pick two or more)', canPickMany: true },
      );
      if (!picks) return undefined;
      ids = picks.map((p) => p.id);
    }
    if (ids.length < 2) { void vscode.window.showWarningMessage('SimPO: pick at least two runs to compare.'); return undefined; }
    charts.compare(ids);
    return ids;
  });

  reg('simpo.openRunFolder', async (arg?: RunArg) => {
    const run = await resolveRun(model, arg, 'SimPO: Open Run Folder');
    if (!run) return undefined;
    const uri = vscode.Uri.file(run.runDir);
    // In a browser (code-server, vscode.dev) there is no OS file manager to reveal in: reveal in the explorer.
    const inBrowser = vscode.env.uiKind === vscode.UIKind.Web || !!vscode.env.remoteName;
    await vscode.commands.executeCommand(inBrowser ? 'revealInExplorer' : 'revealFileInOS', uri);
    return uri;
  });

  reg('simpo.openRunConfig', async (arg?: RunArg) => {
    const run = await resolveRun(model, arg, 'SimPO: Open Run Config');
    if (!run) return undefined;
    const resolved = path.join(run.runDir, RUN_FILES.config);
    const target = run.configPath && existsSync(run.configPath) ? run.configPath : resolved;
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: false });
    return target;
  });

  reg('simpo.openRunLog', async (arg?: RunArg) => {
    const run = await resolveRun(model, arg, 'SimPO: Open Run Log');
    if (!run) return undefined;
    const target = path.join(run.runDir, RUN_FILES.log);
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: true });
    return target;
  });

  // Delete Run: asks (modal) unless called with {confirm: false} as the second argument.
  reg('simpo.deleteRun', async (arg?: RunArg, opts?: { confirm?: boolean }) => {
    const run = await resolveRun(model, arg, 'SimPO: Delete Run');
    if (!run) return undefined;
    if (opts?.confirm !== false) {
      const ok = await vscode.window.showWarningMessage(
        `Delete run "${run.name || run.id}"?`,
        { modal: true, detail: `This removes ${run.runDir} (metrics, logs, checkpoints) from the disk.${run.status === 'running' ? ' The run is still running: it will be stopped first.' : ''}` },
        'Delete',
      );
      if (ok !== 'Delete') return undefined;
    }
    if (run.status === 'running' || run.status === 'queued') await client.stopRun(run.id).catch(() => undefined);
    await client.deleteRun(run.id);
    log.info(`deleted run ${run.id}`);
    await model.refresh();
    return run.id;
  });

  reg('simpo.newConfig', (args?: NewConfigArgs) => newConfig(args ?? {}));
  reg('simpo.openExample', (args?: OpenExampleArgs) => openExample(context, args ?? {}));
  reg('simpo.refreshRuns', async () => { await model.refresh(); return model.runs.map((r) => r.id); });
  reg('simpo.showLog', () => log.show(true));
  reg('simpo.restartServer', async () => { await client.restart(); await model.refresh(); });
  // For benchmarks and tests: how long activate() took, in ms, measured inside the extension host.
  reg('simpo.activationTime', () => d.activationMs());
}
