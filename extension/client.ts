// The training server (`node out/cli.js lsp --stdio`) as a language client: starts it, restarts it after a crash
// at most MAX_RESTARTS times in RESTART_WINDOW_MS (then stops and says so), logs to a LogOutputChannel, shows its
// state in a language status item, and exposes the custom run methods of server/protocol/lsp.ts, typed.
import * as vscode from 'vscode';
import * as path from 'node:path';
import {
  LanguageClient, TransportKind, State, CloseAction, ErrorAction,
  type LanguageClientOptions, type ServerOptions, type StateChangeEvent, type ErrorHandler, type CloseHandlerResult, type ErrorHandlerResult,
} from 'vscode-languageclient/node';
import {
  Methods, type StartRunParams, type StartRunResult, type RunRef, type RunSummary, type MetricsParams,
  type MetricsResult, type RunsChangedParams, type MetricsAppendedParams,
} from '../server/protocol/lsp';
import { settings } from './settings';

export const MAX_RESTARTS = 4;
export const RESTART_WINDOW_MS = 3 * 60_000;

/** Restarts a crashed server, but not in a loop: after MAX_RESTARTS crashes in RESTART_WINDOW_MS it gives up. */
export class RestartLimiter implements ErrorHandler {
  private crashes: number[] = [];
  stoppedForGood = false;
  constructor(private readonly log: vscode.LogOutputChannel, private readonly now: () => number = Date.now) {}
  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.log.error(`connection error (${count ?? 1}): ${error.message}`);
    return count !== undefined && count <= 3 ? { action: ErrorAction.Continue, handled: true } : { action: ErrorAction.Shutdown, handled: true };
  }
  closed(): CloseHandlerResult {
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < RESTART_WINDOW_MS);
    this.crashes.push(t);
    if (this.crashes.length > MAX_RESTARTS) {
      this.stoppedForGood = true;
      const message = `The SimPO training server crashed ${this.crashes.length} times in ${RESTART_WINDOW_MS / 60_000} minutes and will not be restarted. See the "SimPO" output, then run "SimPO: Restart Server".`;
      this.log.error(message);
      return { action: CloseAction.DoNotRestart, message };
    }
    this.log.warn(`training server stopped unexpectedly; restarting (${this.crashes.length}/${MAX_RESTARTS})`);
    return { action: CloseAction.Restart, handled: true };
  }
  reset(): void { this.crashes = []; this.stoppedForGood = false; }
}

export function runsDirFor(folder: vscode.WorkspaceFolder | undefined): string | undefined {
  const configured = settings().runsDir;
  if (!folder) return configured && path.isAbsolute(configured) ? configured : undefined;
  if (!configured) return path.join(folder.uri.fsPath, '.simpo', 'runs');
  return path.isAbsolute(configured) ? configured : path.join(folder.uri.fsPath, configured);
}

/** The run-manager half of the server, typed. */
export class SimpoClient implements vscode.Disposable {
  readonly client: LanguageClient;
  readonly errorHandler: RestartLimiter;
  readonly status: vscode.LanguageStatusItem;
  private readonly runsChangedEmitter = new vscode.EventEmitter<RunSummary[]>();
  private readonly metricsEmitter = new vscode.EventEmitter<MetricsAppendedParams>();
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  /** fires with the new list whenever the server reports a change of runs */
  readonly onRunsChanged = this.runsChangedEmitter.event;
  /** fires for runs this client subscribed to */
  readonly onMetricsAppended = this.metricsEmitter.event;
  /** fires each time the server (re)starts and is ready */
  readonly onReady = this.readyEmitter.event;
  private readonly subscriptions = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(context: vscode.ExtensionContext, readonly log: vscode.LogOutputChannel) {
    // SIMPO_SERVER_PATH: a development override (another build of the `simpo` CLI); normally the bundled out/cli.js
    const cliPath = process.env.SIMPO_SERVER_PATH || context.asAbsolutePath(path.join('out', 'cli.js'));
    const folder = vscode.workspace.workspaceFolders?.[0];
    const threads = settings().threads;
    const env = { ...process.env, ...(threads > 0 ? { SIMPO_THREADS: String(threads) } : {}) };
    const serverOptions: ServerOptions = {
      run: { module: cliPath, transport: TransportKind.stdio, args: ['lsp'], options: { env } },
      debug: { module: cliPath, transport: TransportKind.stdio, args: ['lsp'], options: { env, execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    this.errorHandler = new RestartLimiter(log);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'yaml' }],
      outputChannel: log,
      traceOutputChannel: log,
      errorHandler: this.errorHandler,
      // a function: read again at each (re)start, so a restart after the workspace is trusted passes trusted: true
      initializationOptions: () => ({
        runsDir: runsDirFor(folder),
        cliPath,
        trusted: vscode.workspace.isTrusted,
        workspaceFolder: folder?.uri.fsPath,
        configGlobs: settings().configGlobs,
        threads,
      }),
      synchronize: { configurationSection: 'simpo' },
    };
    this.client = new LanguageClient('simpo', 'SimPO Training Server', serverOptions, clientOptions);
    this.status = vscode.languages.createLanguageStatusItem('simpo.server', { language: 'yaml' });
    this.status.name = 'SimPO Training Server';
    this.status.text = '$(loading~spin) SimPO server starting';
    this.status.command = { title: 'Show Log', command: 'simpo.showLog' };
    this.disposables.push(this.status, this.runsChangedEmitter, this.metricsEmitter, this.readyEmitter);
    this.disposables.push(this.client.onDidChangeState((e: StateChangeEvent) => this.onState(e.newState)));
  }

  private onState(state: State): void {
    if (state === State.Running) {
      this.status.text = '$(check) SimPO server';
      this.status.severity = vscode.LanguageStatusSeverity.Information;
      this.status.detail = 'validating configs, managing runs';
      this.registerNotifications();
      // re-subscribe after a restart: the new server knows nothing of the old subscriptions
      for (const id of this.subscriptions.keys()) void this.client.sendRequest(Methods.subscribe, { id } satisfies RunRef).catch(() => undefined);
      this.readyEmitter.fire();
    } else if (state === State.Starting) {
      this.status.text = '$(loading~spin) SimPO server starting';
      this.status.detail = undefined;
    } else {
      this.status.text = '$(error) SimPO server stopped';
      this.status.severity = vscode.LanguageStatusSeverity.Error;
      this.status.detail = this.errorHandler.stoppedForGood ? 'crashed repeatedly; run "SimPO: Restart Server"' : 'stopped';
    }
  }

  private notificationsRegistered = false;
  private registerNotifications(): void {
    if (this.notificationsRegistered) return; // the client keeps handlers across restarts
    this.notificationsRegistered = true;
    this.disposables.push(
      this.client.onNotification(Methods.runsChanged, (p: RunsChangedParams) => this.runsChangedEmitter.fire(p.runs)),
      this.client.onNotification(Methods.metricsAppended, (p: MetricsAppendedParams) => this.metricsEmitter.fire(p)),
    );
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  async restart(): Promise<void> {
    this.errorHandler.reset();
    if (this.client.isRunning()) await this.client.restart();
    else await this.client.start();
  }

  get running(): boolean { return this.client.isRunning(); }

  private async request<R>(method: string, params: unknown): Promise<R> {
    if (!this.client.isRunning()) {
      if (this.errorHandler.stoppedForGood) throw new Error('the SimPO training server is stopped (it crashed repeatedly); run "SimPO: Restart Server"');
      await this.client.start();
    }
    return this.client.sendRequest<R>(method, params);
  }

  startRun(p: StartRunParams): Promise<StartRunResult> { return this.request(Methods.startRun, p); }
  stopRun(id: string): Promise<unknown> { return this.request(Methods.stopRun, { id } satisfies RunRef); }
  deleteRun(id: string): Promise<unknown> { return this.request(Methods.deleteRun, { id } satisfies RunRef); }
  async listRuns(): Promise<RunSummary[]> {
    const r = await this.request<RunSummary[] | { runs: RunSummary[] }>(Methods.listRuns, {});
    return Array.isArray(r) ? r : r.runs;
  }
  metrics(id: string, from = 0): Promise<MetricsResult> { return this.request(Methods.metrics, { id, from } satisfies MetricsParams); }

  /** Reference-counted: the server pushes metricsAppended for a run while at least one subscriber remains. */
  async subscribe(id: string): Promise<void> {
    const n = this.subscriptions.get(id) ?? 0;
    this.subscriptions.set(id, n + 1);
    if (n === 0) await this.request(Methods.subscribe, { id } satisfies RunRef);
  }
  async unsubscribe(id: string): Promise<void> {
    const n = this.subscriptions.get(id) ?? 0;
    if (n <= 1) {
      this.subscriptions.delete(id);
      if (n === 1 && this.client.isRunning()) await this.client.sendRequest(Methods.unsubscribe, { id } satisfies RunRef).catch(() => undefined);
    } else this.subscriptions.set(id, n - 1);
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) d.dispose();
    // deactivation has a few seconds at most; the server kills nothing it did not start (trainers are detached)
    if (this.client.needsStop()) await this.client.stop(2000).catch(() => undefined);
  }
}
