// `simpo runs`, `simpo stop RUN`, `simpo delete RUN`: the run directory is the source of truth, read through the
// same code as the language server's run manager (dead trainers are marked failed here too).
import * as path from 'node:path';
import type { RunSummary } from '../protocol/lsp';
import { RUN_FILES } from '../protocol/runs';
import { RunManager } from '../runs/manager';
import { defaultRunsDir, findRunDir, readRunInfo } from '../runs/run-dir';
import { deleteRunDir, signalRun, waitForEnd } from '../runs/control';
import { parse, str } from './args';
import { CliError, EXIT, UsageError } from './errors';
import { formatAge, num, table } from './format';
import * as fs from 'node:fs';

/** The runs dir of the CLI: --runs-dir, else `.simpo/runs` under the current directory. */
export function cliRunsDir(flag: string | undefined, cwd = process.cwd()): string {
  return flag ? path.resolve(cwd, flag) : defaultRunsDir(cwd);
}

function findRun(runsDir: string, ref: string): string {
  try {
    return findRunDir(runsDir, ref);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export function runsRows(runs: RunSummary[], now = Date.now()): string[][] {
  return runs.map((r) => {
    const step = r.last?.step ?? r.step;
    const acc = r.lastEval?.['eval_rewards/accuracies'] ?? r.last?.['rewards/accuracies'];
    return [
      r.id,
      r.name,
      r.status,
      `${step ?? 0}/${r.totalSteps || '?'}`,
      num(r.last?.loss),
      typeof acc === 'number' && Number.isFinite(acc) ? acc.toFixed(3) : '-',
      formatAge(r.started ?? r.created, now),
    ];
  });
}

export function runsCommand(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { 'runs-dir': { type: 'string' }, json: { type: 'boolean' } }, [0, 0], 'simpo runs');
  const runsDir = cliRunsDir(str(values['runs-dir']));
  const manager = new RunManager({ runsDir, cliPath: process.argv[1] ?? '' });
  try {
    const runs = manager.list();
    if (values.json) {
      out(JSON.stringify(runs, null, 2));
    } else if (!runs.length) {
      out(`no runs in ${runsDir}`);
    } else {
      out(table(['ID', 'NAME', 'STATUS', 'STEP', 'LOSS', 'ACCURACY', 'AGE'], runsRows(runs), [3, 4, 5]));
      const failed = runs.filter((r) => r.status === 'failed' && r.error);
      for (const r of failed.slice(0, 5)) out(`  ${r.id}: ${r.error}`);
    }
    return EXIT.ok;
  } finally {
    manager.dispose();
  }
}

export async function stopCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    'runs-dir': { type: 'string' }, timeout: { type: 'string' },
  }, [1, 1], 'simpo stop');
  const timeout = values.timeout === undefined ? 120 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`simpo stop: --timeout must be a number of seconds, got "${values.timeout}"`);
  const dir = findRun(cliRunsDir(str(values['runs-dir'])), positionals[0]);
  let info;
  try {
    info = signalRun(dir, 'SIGTERM');
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  out(`stopping run ${info.id} (pid ${info.pid}): waiting for it to save a checkpoint...`);
  const r = await waitForEnd(dir, timeout * 1000);
  if (!r.ended) throw new CliError(`run ${info.id} did not stop within ${timeout} s (pid ${info.pid} still alive)`);
  const end = r.info;
  if (end.status === 'stopped') {
    const ckpt = latestCheckpoint(dir);
    out(`run ${end.id} stopped at step ${end.step ?? '?'}/${end.totalSteps || '?'}${ckpt ? `; checkpoint: ${ckpt}` : ''}`);
    return EXIT.ok;
  }
  out(`run ${end.id} ended as ${end.status}${end.error ? `: ${end.error}` : ''}`);
  return end.status === 'completed' ? EXIT.ok : EXIT.failed;
}

/** The newest checkpoint folder of a run (checkpoints/step-N with the largest N), if any. */
export function latestCheckpoint(dir: string): string | undefined {
  const root = path.join(dir, RUN_FILES.checkpoints);
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => /^step-\d+$/.test(n));
  } catch {
    return undefined;
  }
  names.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return names.length ? path.join(root, names[names.length - 1]) : undefined;
}

export function deleteCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { 'runs-dir': { type: 'string' } }, [1, 1], 'simpo delete');
  const dir = findRun(cliRunsDir(str(values['runs-dir'])), positionals[0]);
  const info = readRunInfo(dir);
  try {
    deleteRunDir(dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  out(`deleted run ${info.id} (${dir})`);
  return EXIT.ok;
}

