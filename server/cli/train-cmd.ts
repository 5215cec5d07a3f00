// `simpo train CONFIG`: runs the trainer in this process with a progress line on a terminal (plain log lines
// otherwise). SIGTERM or a first Ctrl-C asks the trainer to checkpoint and stop; a second Ctrl-C quits at once.
// With --run-dir (how the run manager starts a run) the run directory already exists, queued; its pid is recorded
// first thing so the manager can tell a live trainer from a dead one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunInfo } from '../protocol/runs';
import { describeConfig } from '../runs/config-info';
import { loadConfigFile } from '../config/load';
import { formatFinding } from '../config/findings';
import { resolveRunsDir } from '../runs/paths';
import { tryReadRunInfo, updateRunInfo } from '../runs/run-dir';
import { isActive } from '../runs/control';
import { parse, str } from './args';
import { CliError, EXIT } from './errors';
import { num } from './format';
import { PlainProgress, TtyProgress, type Progress, type ProgressSink } from './progress';
import type { TrainingOptions as TrainerOptions } from '../train/index';

/** The trainer's options (server/train), as the CLI passes them; a type-only import keeps the trainer lazily loaded. */
export type TrainingOptions = Omit<TrainerOptions, 'judge' | 'overrides'>;
export type RunTraining = (opts: TrainingOptions) => Promise<{ runDir: string; info: RunInfo }>;

/** Whether an error thrown by the trainer is the user's input (exit 1) rather than a failure of training (exit 2). */
export type IsInputError = (e: unknown) => boolean;

export interface TrainIo {
  out: (s: string) => void;
  err: (s: string) => void;
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stdout: { write(s: string): unknown };
  cwd: string;
}

export async function trainCommand(argv: string[], runTraining: RunTraining, isInputError: IsInputError, io: TrainIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    'runs-dir': { type: 'string' },
    'run-dir': { type: 'string' },
    dataset: { type: 'string' },
    name: { type: 'string' },
    resume: { type: 'string' },
  }, [1, 1], 'simpo train');
  const configPath = path.resolve(io.cwd, positionals[0]);
  const runDir = str(values['run-dir']) && path.resolve(io.cwd, str(values['run-dir'])!);
  // a stop that arrives while the config is being checked (before the trainer's handlers exist) is kept, not fatal
  let earlySignal: 'SIGINT' | 'SIGTERM' | undefined;
  const early = (sig: NodeJS.Signals) => { earlySignal ??= sig === 'SIGINT' ? 'SIGINT' : 'SIGTERM'; };
  process.on('SIGTERM', early);
  process.on('SIGINT', early);
  if (runDir) recordPid(runDir);
  try {
    return await train();
  } catch (e) {
    if (runDir) markFailed(runDir, e);
    throw e;
  } finally {
    process.off('SIGTERM', early);
    process.off('SIGINT', early);
  }

  async function train(): Promise<number> {
    const desc = (() => {
      try {
        return describeConfig(configPath);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
    })();
    const dataset = str(values.dataset) && path.resolve(io.cwd, str(values.dataset)!);
    if (dataset && !fs.existsSync(dataset)) throw new CliError(`dataset not found: ${dataset}`);
    // the same checks as the editor shows: a config with errors never starts
    const checked = await loadConfigFile(configPath, { checkPaths: !dataset, absolutePaths: false });
    const errors = checked.findings.filter((f) => f.severity === 'error' && !(dataset && f.code === 'required' && /training data/.test(f.message)));
    if (errors.length) {
      const shown = errors.slice(0, 10).map(formatFinding).join('\n');
      throw new CliError(errors.length === 1 ? shown : `${errors.length} errors in the config:\n${shown}`);
    }
    const resume = str(values.resume) && path.resolve(io.cwd, str(values.resume)!);
    if (resume && !fs.existsSync(resume)) throw new CliError(`checkpoint not found: ${resume}`);
    let runsDir: string | undefined;
    if (!runDir) {
      try {
        runsDir = resolveRunsDir({ explicit: str(values['runs-dir']), fromConfig: desc.runsDir, configPath, cwd: io.cwd });
      } catch (e) {
        throw new CliError((e as Error).message);
      }
    }

    if (earlySignal) {
      if (runDir) updateRunInfo(runDir, { status: 'stopped', ended: new Date().toISOString(), pid: undefined, step: 0 });
      io.out(`simpo train: ${earlySignal} before training started; nothing to checkpoint`);
      return earlySignal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    }
    process.off('SIGTERM', early);
    process.off('SIGINT', early);
    const { result, stoppedBy } = await withTrainingUi('simpo train', io, isInputError, (hooks) => runTraining({
      configPath, runsDir, runDir, dataset, name: str(values.name), resume, ...hooks,
    }));
    return report(result, stoppedBy, io);
  }
}

export interface TrainingHooks {
  onProgress: (p: Progress) => void;
  onLog: (line: string) => void;
  signal: AbortSignal;
}

/**
 * Runs a training call with the terminal UI (progress line or plain log lines) and the signal handling of the CLI:
 * SIGTERM or a first Ctrl-C abort the signal (the trainer checkpoints and stops), a second Ctrl-C quits at once.
 * Errors become CliErrors: the user's input exits 1, anything else 2 (or 130/143 when stopping).
 */
export async function withTrainingUi<T>(what: string, io: TrainIo, isInputError: IsInputError, run: (hooks: TrainingHooks) => Promise<T>): Promise<{ result: T; stoppedBy?: 'SIGINT' | 'SIGTERM' }> {
  const sink: ProgressSink = io.stderr.isTTY ? new TtyProgress(io.stderr) : new PlainProgress(io.stdout);
  const controller = new AbortController();
  let stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
  const onTerm = () => {
    if (!stoppedBy) stoppedBy = 'SIGTERM';
    sink.log(`${what}: SIGTERM received; saving a checkpoint and stopping`);
    controller.abort(new Error('stopped by SIGTERM'));
  };
  const onInt = () => {
    if (stoppedBy === 'SIGINT' || controller.signal.aborted) {
      sink.done();
      io.err(`${what}: interrupted again; quitting without a checkpoint`);
      // die of SIGINT as a Ctrl-C'd program should (the shell shows 130); process.exit() here would run native
      // teardown while the engine's worker thread is inside onnxruntime, which aborts the process
      process.removeAllListeners('SIGINT');
      process.kill(process.pid, 'SIGINT');
      return;
    }
    stoppedBy = 'SIGINT';
    sink.log(`${what}: stopping after saving a checkpoint (Ctrl-C again to quit now)`);
    controller.abort(new Error('stopped by SIGINT'));
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    const result = await run({ onProgress: (p) => sink.progress(p), onLog: (line) => sink.log(line), signal: controller.signal });
    sink.done();
    return { result, stoppedBy };
  } catch (e) {
    sink.done();
    if (e instanceof CliError) throw e;
    if (isInputError(e)) throw new CliError((e as Error).message, EXIT.input);
    if (stoppedBy) throw new CliError(`stopped: ${(e as Error).message}`, stoppedBy === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
    throw new CliError(`training failed: ${(e as Error).message}`, EXIT.failed);
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}

/** Exit code and final message of a finished run. */
export function report(result: { runDir: string; info: RunInfo }, stoppedBy: 'SIGINT' | 'SIGTERM' | undefined, io: Pick<TrainIo, 'out' | 'err'>): number {
  const { info, runDir } = result;
  const steps = `${info.step ?? '?'}/${info.totalSteps || '?'} steps`;
  if (info.status === 'completed') {
    io.out(`run ${info.id} completed (${steps}); model: ${path.join(runDir, 'final')}`);
    return EXIT.ok;
  }
  if (info.status === 'stopped') {
    io.out(`run ${info.id} stopped at ${steps}; resume with --resume ${path.join(runDir, 'checkpoints', `step-${info.step ?? 0}`)}`);
    return stoppedBy === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  }
  io.err(`simpo train: run ${info.id} ${info.status}${info.error ? `: ${info.error}` : ''} (${runDir})`);
  return EXIT.failed;
}

/** Called first thing with --run-dir: the manager sees this process as the run's trainer from now on. */
function recordPid(runDir: string): void {
  const info = tryReadRunInfo(runDir);
  if (!info) throw new CliError(`--run-dir ${runDir}: not a run directory (no readable run.json)`);
  if (!isActive(info)) throw new CliError(`--run-dir ${runDir}: run is already ${info.status}`);
  updateRunInfo(runDir, { pid: process.pid });
}

/** An error before the trainer took charge of the run: record it in run.json, so the run shows why it failed. */
function markFailed(runDir: string, e: unknown): void {
  const info = tryReadRunInfo(runDir);
  if (!info || !isActive(info)) return;
  updateRunInfo(runDir, { status: 'failed', error: (e as Error).message ?? String(e), ended: new Date().toISOString(), pid: undefined });
}

