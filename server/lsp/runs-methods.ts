// The run methods of server/protocol/lsp.ts, served by delegating to the RunManager of server/runs: start, stop,
// delete, list, metrics, (un)subscribe; pushes runsChanged and (for subscribed runs) metricsAppended.
// initializationOptions {runsDir, cliPath, trusted, nodeArgs?} configure it; an untrusted workspace cannot start runs.
import { ResponseError, ErrorCodes, type Connection, type Disposable } from 'vscode-languageserver';
import { loadConfigFile } from '../config/load';
import { formatFinding, type Finding } from '../config/findings';
import { Methods, type MetricsParams, type RunRef, type StartRunParams } from '../protocol/lsp';
import { RunManager } from '../runs/manager';

export interface RunMethodsOptions {
  runsDir?: string;
  cliPath?: string;
  /** the workspace is trusted (Restricted Mode: false) */
  trusted?: boolean;
  /** Node options before the CLI path (development: ['--import', 'tsx']) */
  nodeArgs?: string[];
}

export const RESTRICTED_MESSAGE = 'This workspace is restricted (VS Code Restricted Mode): runs cannot be started until you trust the workspace. Configs are still validated.';

export class RunMethods implements Disposable {
  private manager: RunManager | undefined;
  private readonly subscribed = new Set<string>();
  private readonly disposables: Disposable[] = [];

  constructor(private readonly connection: Connection, private readonly opts: RunMethodsOptions) {
    const c = connection;
    c.onRequest(Methods.listRuns, () => this.guard(() => this.need().list()));
    c.onRequest(Methods.startRun, (p: StartRunParams) => this.guard(() => this.start(p)));
    c.onRequest(Methods.stopRun, (p: RunRef) => this.guard(() => this.need().stop(this.id(p))));
    c.onRequest(Methods.deleteRun, (p: RunRef) => this.guard(async () => { const id = this.id(p); await this.need().delete(id); this.subscribed.delete(id); }));
    c.onRequest(Methods.metrics, (p: MetricsParams) => this.guard(() => this.need().metrics(this.id(p), p.from ?? 0)));
    c.onRequest(Methods.subscribe, (p: RunRef) => this.guard(() => { this.subscribed.add(this.id(p)); return null; }));
    c.onRequest(Methods.unsubscribe, (p: RunRef) => this.guard(() => { this.subscribed.delete(this.id(p)); return null; }));
  }

  /** Starts watching the runs dir (after `initialized`). */
  watch(): void {
    const m = this.manager ?? this.create();
    m?.watch();
  }

  private create(): RunManager | undefined {
    if (!this.opts.runsDir || !this.opts.cliPath) return undefined;
    const m = new RunManager({ runsDir: this.opts.runsDir, cliPath: this.opts.cliPath, nodeArgs: this.opts.nodeArgs });
    this.disposables.push(
      m.onChanged((runs) => void this.connection.sendNotification(Methods.runsChanged, { runs }).catch(() => undefined)),
      m.onMetrics((p) => { if (this.subscribed.has(p.id)) void this.connection.sendNotification(Methods.metricsAppended, p).catch(() => undefined); }),
    );
    this.manager = m;
    return m;
  }

  private need(): RunManager {
    const m = this.manager ?? this.create();
    if (!m) throw new ResponseError(ErrorCodes.InvalidRequest, 'no runs dir: the client started the server without initializationOptions.runsDir and cliPath');
    return m;
  }

  private id(p: RunRef | undefined): string {
    if (!p || typeof p.id !== 'string' || !p.id) throw new ResponseError(ErrorCodes.InvalidParams, 'a run id is required ({ id: string })');
    return p.id;
  }

  private async start(p: StartRunParams) {
    if (this.opts.trusted === false) throw new ResponseError(ErrorCodes.InvalidRequest, RESTRICTED_MESSAGE);
    if (!p || typeof p.configPath !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'startRun needs { configPath }');
    const m = this.need();
    // refuse a config with errors up front, with the same messages as the editor shows
    const r = await loadConfigFile(p.configPath, { absolutePaths: false });
    // a dataset given with the request replaces the config's: its findings do not count
    const overridden = (f: Finding) => p.dataset !== undefined && ((f.code === 'required' && /training data/.test(f.message)) || f.key === 'dataset' || f.key === 'dataset_mixer' || f.key === 'dataset_splits');
    const errors = r.findings.filter((f) => f.severity === 'error' && !overridden(f));
    if (errors.length) throw new ResponseError(ErrorCodes.InvalidParams, `the config has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${errors.slice(0, 10).map(formatFinding).join('\n')}`);
    return m.start(p);
  }

  private async guard<T>(f: () => T | Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      throw new ResponseError(ErrorCodes.InternalError, (e as Error).message ?? String(e));
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.manager?.dispose();
  }
}
