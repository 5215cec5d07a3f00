// `simpo demo` / `npm run demo`: trains the embedded example (examples/simpo-demo.simpo.yaml) and shows that
// SimPO taught the tiny model something checkable: held-out reward accuracy (correct sum preferred to the
// off-by-one answer) and greedy answer accuracy, before and after, with the time taken.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunInfo, SampleLine } from '../protocol/runs';
import { runTraining, type Judge, type TrainingProgress } from './index';

export const EXAMPLE_CONFIG = 'simpo-demo.simpo.yaml';

/** The examples folder: SIMPO_EXAMPLES_DIR, else examples/ beside the bundle (out/..) or the sources (server/train/../..). */
export function examplesDir(): string {
  const env = process.env.SIMPO_EXAMPLES_DIR;
  const candidates = [env, path.resolve(__dirname, '..', 'examples'), path.resolve(__dirname, '..', '..', 'examples')].filter((d): d is string => !!d);
  for (const d of candidates) if (fs.existsSync(path.join(d, EXAMPLE_CONFIG))) return d;
  throw new Error(`the embedded example was not found (looked for ${EXAMPLE_CONFIG} in ${candidates.join(', ')})`);
}

/** "a+b=" prompts: the correct sum is the reference; an answer is correct when it is exactly that number. */
export const arithmeticJudge: Judge = (prompt, answer) => {
  const m = /(\d+)\s*\+\s*(\d+)\s*=\s*$/.exec(prompt);
  if (!m) return {};
  const reference = String(Number(m[1]) + Number(m[2]));
  return { reference, correct: answer.trim() === reference };
};

export interface DemoSummary {
  runDir: string;
  info: RunInfo;
  evalAccuracyBefore?: number;
  evalAccuracyAfter?: number;
  greedyBefore?: number;
  greedyAfter?: number;
  seconds: number;
  samples: SampleLine[];
}

export async function runDemo(opts: { runsDir?: string; onLog?: (line: string) => void; onProgress?: (p: TrainingProgress) => void; signal?: AbortSignal } = {}): Promise<DemoSummary> {
  const t0 = Date.now();
  const dir = examplesDir();
  const log = opts.onLog ?? (() => undefined);
  const r = await runTraining({
    configPath: path.join(dir, EXAMPLE_CONFIG),
    runsDir: opts.runsDir ?? path.join(process.cwd(), '.simpo', 'runs'),
    name: 'simpo-demo',
    judge: arithmeticJudge,
    onLog: log,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
  const samples = r.samples ?? [];
  const share = (k: 'beforeCorrect' | 'afterCorrect') => (samples.length ? samples.filter((s) => s[k]).length / samples.length : undefined);
  const s: DemoSummary = {
    runDir: r.runDir, info: r.info, samples,
    evalAccuracyBefore: r.evalBefore?.['eval_rewards/accuracies'], evalAccuracyAfter: r.evalAfter?.['eval_rewards/accuracies'],
    greedyBefore: share('beforeCorrect'), greedyAfter: share('afterCorrect'),
    seconds: (Date.now() - t0) / 1000,
  };
  for (const line of formatDemoSummary(s)) log(line);
  return s;
}

export function formatDemoSummary(s: DemoSummary): string[] {
  const pct = (x: number | undefined) => (x === undefined ? '?' : x.toFixed(2));
  const lines = [
    `SimPO demo ${s.info.status} in ${s.seconds.toFixed(1)} s (${s.info.step ?? 0}/${s.info.totalSteps} steps): ${s.runDir}`,
    `  held-out reward accuracy (correct sum preferred to off-by-one): ${pct(s.evalAccuracyBefore)} -> ${pct(s.evalAccuracyAfter)}`,
    `  held-out greedy answers correct: ${pct(s.greedyBefore)} -> ${pct(s.greedyAfter)} (${s.samples.length} prompts)`,
  ];
  for (const x of s.samples.slice(0, 5)) lines.push(`    ${x.prompt.padEnd(7)} before ${x.before.padEnd(4)} after ${x.after.padEnd(4)} (answer ${x.reference ?? '?'})`);
  if (s.info.status === 'failed') lines.push(`  error: ${s.info.error}`);
  return lines;
}
