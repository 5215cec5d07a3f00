// The run manager of the training server: lists the runs of one runs dir, starts trainers as detached processes
// (a window reload or a server crash does not kill a run), stops and deletes runs, and tails their files to push
// changes. The run directories are the source of truth: runs started by the CLI in the same runs dir appear too,
// and a restarted server re-attaches to running trainers by their pid and files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { MetricsAppendedParams, MetricsResult, RunSummary, StartRunParams, StartRunResult } from '../protocol/lsp';
import { RUN_FILES, type MetricsLine, type RunInfo } from '../protocol/runs';
import { createRunDir, listRunDirs, readJsonl, tryReadRunInfo, updateRunInfo } from './run-dir';
import { MetricsTail, isEvalLine, isTrainLine } from './metrics-tail';
import { readHyper, runConfigFile, type Hyper } from './hyper';
import { deleteRunDir, isActive, reconcileRun, runDirOf, signalRun, waitForEnd, type ReconcileContext } from './control';
import { describeConfig } from './config-info';

export interface RunManagerOptions {
  /** the runs dir (absolute; the workspace's `.simpo/runs` or a folder the user chose) */
  runsDir: string;
  /** the `simpo` CLI bundle (out/cli.js) that runs the trainer */
  cliPath: string;
  /** the Node binary to run it with (default: this process's) */
  nodePath?: string;
  /** Node options before the CLI path (e.g. ['--import', 'tsx'] to run the TypeScript source in development) */
  nodeArgs?: string[];
  /** working directory of trainers (default: the folder of the config file) */
  cwd?: string;
  /** fallback poll interval of watch() in ms (default 1000) */
  pollMs?: number;
  /** extra environment for trainers */
  env?: NodeJS.ProcessEnv;
}

export interface Disposable { dispose(): void }

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private listeners = new Set<Listener<T>>();
  on(cb: Listener<T>): Disposable {
    this.listeners.add(cb);
    return { dispose: () => this.listeners.delete(cb) };
  }
  fire(value: T): void {
    for (const cb of [...this.listeners]) {
      try {
        cb(value);
      } catch (e) {
        console.error(`run manager listener failed: ${(e as Error).stack ?? e}`);
      }
    }
  }
  clear(): void {
    this.listeners.clear();
  }
}

interface Child { pid?: number; exited: boolean; code: number | null; signal: NodeJS.Signals | null; stopRequested?: boolean }

/** What the manager remembers of one run between refreshes. */
interface Tracked {
  dir: string;
  info: RunInfo;
  infoStamp: string;
  tail: MetricsTail;
  last?: MetricsLine;
  lastEval?: MetricsLine;
  hyper?: Hyper;
  hyperStamp: string;
  /** finished and read in full since run.json last changed */
  settled: boolean;
}

function stampOf(file: string | undefined): string {
  if (!file) return '';
  try {
    const st = fs.statSync(file);
    return `${file}:${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return '';
  }
}

export class RunManager {
  readonly runsDir: string;
  private readonly opts: RunManagerOptions;
  private readonly tracked = new Map<string, Tracked>();
  private readonly children = new Map<string, Child>();
  private readonly changed = new Emitter<RunSummary[]>();
  private readonly appended = new Emitter<MetricsAppendedParams>();
  private lastList: RunSummary[] | undefined;
  private baselined = false;
  private timer: NodeJS.Timeout | undefined;
  private dirWatcher: fs.FSWatcher | undefined;
  private runWatchers = new Map<string, fs.FSWatcher>();
  private pending: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(opts: RunManagerOptions) {
    this.opts = opts;
    this.runsDir = path.resolve(opts.runsDir);
  }

  /** Every run of the runs dir, newest first. */
  list(): RunSummary[] {
    return this.refresh();
  }

  /** Creates a queued run directory and starts its trainer as a detached process. */
  async start(p: StartRunParams): Promise<StartRunResult> {
    if (this.disposed) throw new Error('run manager is disposed');
    const configPath = path.resolve(p.configPath);
    const desc = describeConfig(configPath); // throws a clear error for a missing or unparsable config
    if (p.dataset !== undefined) {
      const ds = path.resolve(p.dataset);
      if (!fs.existsSync(ds)) throw new Error(`dataset not found: ${ds}`);
    }
    const name = p.name?.trim() || desc.name;
    const { id, dir, info } = createRunDir(this.runsDir, {
      name, device: desc.device, algorithm: desc.algorithm, configPath, totalSteps: 0,
    });
    const args = [...(this.opts.nodeArgs ?? []), this.opts.cliPath, 'train', configPath, '--run-dir', dir];
    if (p.dataset !== undefined) args.push('--dataset', path.resolve(p.dataset));
    args.push('--name', name);
    const out = fs.openSync(path.join(dir, 'trainer.out'), 'a');
    let child;
    try {
      child = spawn(this.opts.nodePath ?? process.execPath, args, {
        cwd: this.opts.cwd ?? path.dirname(configPath),
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, ...this.opts.env, SIMPO_SPAWNED_BY: 'run-manager' },
        windowsHide: true,
      });
    } catch (e) {
      fs.closeSync(out);
      updateRunInfo(dir, { status: 'failed', error: `cannot start the trainer: ${(e as Error).message}`, ended: new Date().toISOString() });
      throw e;
    }
    fs.closeSync(out);
    const rec: Child = { pid: child.pid, exited: false, code: null, signal: null };
    this.children.set(id, rec);
    child.on('error', (e) => {
      rec.exited = true;
      const fresh = tryReadRunInfo(dir);
      if (fresh && isActive(fresh)) {
        updateRunInfo(dir, { status: 'failed', error: `cannot start the trainer: ${e.message}`, ended: new Date().toISOString() });
      }
      this.schedule();
    });
    child.on('exit', (code, signal) => {
      rec.exited = true;
      rec.code = code;
      rec.signal = signal;
      this.schedule();
    });
    child.unref();
    this.schedule();
    return { run: info, runDir: dir };
  }

  /** Sends SIGTERM to the run's trainer, which checkpoints and marks the run stopped. */
  async stop(id: string): Promise<void> {
    const dir = runDirOf(this.runsDir, id);
    const child = this.children.get(id);
    if (child) child.stopRequested = true;
    signalRun(dir, 'SIGTERM', child?.exited ? undefined : child?.pid);
    this.schedule();
  }

  /** Stops and waits until the run has ended (or the timeout passes); returns its record. */
  async stopAndWait(id: string, timeoutMs = 30_000): Promise<RunInfo> {
    await this.stop(id);
    const { info } = await waitForEnd(runDirOf(this.runsDir, id), timeoutMs);
    this.schedule();
    return info;
  }

  /** Deletes a run's directory; refuses while the run is queued or running. */
  async delete(id: string): Promise<void> {
    const dir = runDirOf(this.runsDir, id);
    deleteRunDir(dir, this.ctx(id));
    this.tracked.delete(id);
    this.closeRunWatcher(id);
    this.schedule();
  }

  /** Metrics lines of a run from a line index (0 = all). */
  metrics(id: string, from = 0): MetricsResult {
    const dir = runDirOf(this.runsDir, id);
    const r = readJsonl<MetricsLine>(path.join(dir, RUN_FILES.metrics), Math.max(0, Math.floor(from)));
    return { id, lines: r.lines, next: r.next };
  }

  /** Fires with the whole list whenever a run appears, disappears, changes status or logs metrics. */
  onChanged(cb: (runs: RunSummary[]) => void): Disposable {
    return this.changed.on(cb);
  }

  /** Fires with only the lines appended to a run's metrics.jsonl since the last notification. */
  onMetrics(cb: (p: MetricsAppendedParams) => void): Disposable {
    return this.appended.on(cb);
  }

  /** Watches the runs dir (fs.watch, plus a poll as a fallback) and pushes changes to the listeners. */
  watch(): void {
    if (this.disposed || this.timer) return;
    this.timer = setInterval(() => this.refresh(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.pending) clearTimeout(this.pending);
    this.dirWatcher?.close();
    this.dirWatcher = undefined;
    for (const id of [...this.runWatchers.keys()]) this.closeRunWatcher(id);
    this.changed.clear();
    this.appended.clear();
  }

  /** Re-reads what changed on disk, marks dead runs failed, fires events; returns the list. */
  refresh(): RunSummary[] {
    const dirs = listRunDirs(this.runsDir);
    const seen = new Set<string>();
    const emit = this.baselined;
    let dirty = !this.baselined;
    for (const dir of dirs) {
      const id = path.basename(dir);
      seen.add(id);
      let t = this.tracked.get(id);
      const infoFile = path.join(dir, RUN_FILES.info);
      const infoStamp = stampOf(infoFile);
      if (!t) {
        const info = tryReadRunInfo(dir);
        if (!info) continue; // being written, or broken: try again next time
        t = { dir, info, infoStamp, tail: new MetricsTail(path.join(dir, RUN_FILES.metrics)), hyperStamp: '', settled: false };
        this.tracked.set(id, t);
        dirty = true;
      } else if (infoStamp !== t.infoStamp) {
        const info = tryReadRunInfo(dir);
        if (info) {
          t.info = info;
          t.infoStamp = infoStamp;
          t.settled = false;
          dirty = true;
        }
      }
      if (this.readMetrics(id, t, emit)) dirty = true;
      // a finished run whose run.json has not changed since it was last read in full needs nothing more
      if (t.settled) continue;
      if (isActive(t.info)) {
        const before = t.info;
        t.info = reconcileRun(dir, t.info, this.ctx(id));
        if (t.info !== before) {
          t.infoStamp = stampOf(infoFile);
          dirty = true;
        }
      }
      const cfg = runConfigFile(dir, t.info.configPath);
      const hs = stampOf(cfg);
      if (hs !== t.hyperStamp) {
        t.hyperStamp = hs;
        t.hyper = cfg ? readHyper(cfg) : undefined;
        dirty = true;
      }
      if (this.timer && isActive(t.info)) this.openRunWatcher(id, dir);
      else this.closeRunWatcher(id);
      if (!isActive(t.info)) t.settled = true;
    }
    for (const id of [...this.tracked.keys()]) {
      if (!seen.has(id)) {
        this.tracked.delete(id);
        this.closeRunWatcher(id);
        dirty = true;
      }
    }
    this.ensureDirWatcher();
    const shown = dirs.map((d) => this.tracked.get(path.basename(d))).filter((t): t is Tracked => !!t);
    const prev = this.lastList;
    if (!prev || prev.length !== shown.length || prev.some((r, i) => r.runDir !== shown[i].dir)) dirty = true;
    if (dirty || !prev) {
      this.lastList = shown.map((t) => this.summary(t));
      if (this.baselined) this.changed.fire(this.lastList);
    }
    this.baselined = true;
    return this.lastList!;
  }

  /** Reads appended metrics lines; true when there were any. */
  private readMetrics(id: string, t: Tracked, emit: boolean): boolean {
    let r;
    try {
      r = t.tail.read();
    } catch {
      return false;
    }
    if (!r.lines.length) return false;
    for (const line of r.lines) {
      if (isEvalLine(line)) t.lastEval = line;
      else if (isTrainLine(line)) t.last = line;
    }
    if (emit) this.appended.fire({ id, lines: r.lines, from: r.from });
    return true;
  }

  private summary(t: Tracked): RunSummary {
    const s: RunSummary = { ...t.info, runDir: t.dir };
    if (t.last) s.last = t.last;
    if (t.lastEval) s.lastEval = t.lastEval;
    if (t.hyper) s.hyper = t.hyper;
    return s;
  }

  private ctx(id: string): ReconcileContext {
    const child = this.children.get(id);
    return child ? { child } : {};
  }

  /** Coalesces bursts of file events into one refresh. */
  private schedule(): void {
    if (this.disposed || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (!this.disposed) this.refresh();
    }, 50);
  }

  private ensureDirWatcher(): void {
    if (this.dirWatcher || !this.timer || this.disposed) return;
    try {
      this.dirWatcher = fs.watch(this.runsDir, { persistent: false }, () => this.schedule());
      this.dirWatcher.on('error', () => {
        this.dirWatcher?.close();
        this.dirWatcher = undefined; // the poll re-creates it when the folder is back
      });
    } catch {
      /* the runs dir does not exist yet: the poll keeps looking */
    }
  }

  private openRunWatcher(id: string, dir: string): void {
    if (this.runWatchers.has(id)) return;
    try {
      const w = fs.watch(dir, { persistent: false }, () => this.schedule());
      w.on('error', () => this.closeRunWatcher(id));
      this.runWatchers.set(id, w);
    } catch {
      /* the poll covers it */
    }
  }

  private closeRunWatcher(id: string): void {
    const w = this.runWatchers.get(id);
    if (w) {
      w.close();
      this.runWatchers.delete(id);
    }
  }
}

