// SimPO Studio's extension host side: starts the training server (language client), the run browser, the status
// bar, the commands and the chart panels. UI only: it knows nothing of the engine; runs live in the server.
import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { SimpoClient } from './client';
import { RunsModel } from './runs-model';
import { registerRunsTree, type RunsTreeProvider } from './runs-tree';
import { RunStatusBar } from './status-bar';
import { registerCommands } from './commands';
import type { ChartsModule } from './charts';
import { registerTrust } from './trust';
import { ClientRunsSource } from './runs-source';
import { connectCharts } from './charts-bridge';

/** Returned by activate(): what tests (and other extensions) may reach. */
export interface SimpoExtensionApi {
  client: SimpoClient;
  model: RunsModel;
  tree: RunsTreeProvider;
  treeView: vscode.TreeView<unknown>;
  source: ClientRunsSource;
  charts: ChartsModule;
  statusBar: RunStatusBar;
  /** activate()'s own duration in ms (the server starts after it, in the background) */
  activationMs: number;
  /** resolves once the server answered initialize and the run list was loaded */
  ready: Promise<void>;
  /** ms from the start of activate() until `ready` (undefined until then) */
  readyMs?: number;
}

let current: SimpoClient | undefined;

export function activate(context: vscode.ExtensionContext): SimpoExtensionApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('SimPO', { log: true });
  context.subscriptions.push(log);
  const client = new SimpoClient(context, log);
  current = client;
  context.subscriptions.push({ dispose: () => { void client.dispose(); } });
  const model = new RunsModel(client);
  context.subscriptions.push(model);
  const { provider, view } = registerRunsTree(context, model);
  const statusBar = new RunStatusBar(model);
  context.subscriptions.push(statusBar);
  const source = new ClientRunsSource(client, model);
  const charts = connectCharts(context, source, log);
  const api: SimpoExtensionApi = {
    client, model, tree: provider, treeView: view as vscode.TreeView<unknown>, source, charts, statusBar, activationMs: 0,
    ready: Promise.resolve(),
  };
  registerCommands({ context, client, model, charts, log, activationMs: () => api.activationMs });
  registerTrust(context, () => {
    log.info('workspace trusted: restarting the server so that runs may start');
    void client.restart().catch((e: Error) => log.error(`restart after trust: ${e.message}`));
  });
  // The server starts in the background so activation stays short; the tree fills in when it is ready.
  api.ready = client.start().then(() => model.refresh()).then(() => { api.readyMs = performance.now() - t0; }, (e: Error) => {
    log.error(`could not start the training server: ${e.message}`);
    void vscode.window.showErrorMessage(`SimPO: the training server did not start: ${e.message}`, 'Show Log').then((p) => { if (p) log.show(); });
  });
  api.activationMs = performance.now() - t0;
  log.info(`activated in ${api.activationMs.toFixed(1)} ms`);
  return api;
}

export async function deactivate(): Promise<void> {
  // The trainers are detached and keep running; only the server (our child) stops, within the host's few seconds.
  await current?.dispose();
  current = undefined;
}
