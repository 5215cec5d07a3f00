// `simpo demo [--runs-dir DIR]` (and `npm run demo`): trains the embedded example with SimPO and prints the
// before/after summary (the trainer's runDemo does the work and writes the summary to the log).
import * as path from 'node:path';
import type { RunInfo } from '../protocol/runs';
import { parse, str } from './args';
import { EXIT } from './errors';
import { withTrainingUi, type IsInputError, type TrainIo, type TrainingHooks } from './train-cmd';

export type RunDemo = (opts: { runsDir?: string } & Partial<TrainingHooks>) => Promise<{ runDir: string; info: RunInfo }>;

export async function demoCommand(argv: string[], runDemo: RunDemo, isInputError: IsInputError, io: TrainIo): Promise<number> {
  const { values } = parse(argv, { 'runs-dir': { type: 'string' } }, [0, 0], 'simpo demo');
  const runsDir = str(values['runs-dir']) ? path.resolve(io.cwd, str(values['runs-dir'])!) : undefined;
  const { result, stoppedBy } = await withTrainingUi('simpo demo', io, isInputError, (hooks) => runDemo({ runsDir, ...hooks }));
  const { info } = result;
  if (info.status === 'completed') return EXIT.ok;
  if (info.status === 'stopped') return stoppedBy === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  io.err(`simpo demo: run ${info.id} ${info.status}${info.error ? `: ${info.error}` : ''} (${result.runDir})`);
  return EXIT.failed;
}
