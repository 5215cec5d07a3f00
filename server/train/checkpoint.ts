// Checkpoints: checkpoints/step-N/ holds a loadable model (config.json, model.safetensors in the input model's
// dtype, tokenizer files), optimizer.safetensors (Adam moments, float32) and trainer_state.json (step, epoch,
// data order position, seed, schedule). Written into step-N.tmp and renamed, so a checkpoint is whole or absent.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../runs/run-dir';

export const TRAINER_STATE_FILE = 'trainer_state.json';

export interface TrainerState {
  /** optimizer steps done */
  global_step: number;
  /** fractional epoch as HF logs it */
  epoch: number;
  /** data order position of the next step: epoch index and micro-batch index within it */
  data_epoch: number;
  data_batch: number;
  seed: number;
  total_steps: number;
  /** the optimizer step counter stored with the moments */
  optimizer_step: number;
  /** model the run started from (a resumed run keeps the original's) */
  model_name_or_path: string;
  /** the run that wrote it */
  run_id: string;
  /** metrics logged at this step, for reference */
  log_history?: Record<string, number>[];
}

export function checkpointDir(runDir: string, step: number): string {
  return path.join(runDir, 'checkpoints', `step-${step}`);
}

export function writeTrainerState(dir: string, state: TrainerState): void {
  writeFileAtomic(path.join(dir, TRAINER_STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

/** Reads a checkpoint's trainer_state.json; a clear error naming the file and field. */
export function readTrainerState(dir: string): TrainerState {
  const file = path.join(dir, TRAINER_STATE_FILE);
  if (!fs.existsSync(dir)) throw new Error(`checkpoint not found: ${dir}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read the trainer state (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const s = raw as Partial<TrainerState>;
  for (const k of ['global_step', 'data_epoch', 'data_batch', 'seed', 'optimizer_step'] as const) {
    if (typeof s[k] !== 'number' || !Number.isInteger(s[k])) throw new Error(`${file}: field "${k}" must be an integer`);
  }
  return s as TrainerState;
}

/** Moves a finished step-N.tmp into place (replacing an older step-N). */
export function commitDir(tmp: string, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

/** Keeps the newest `limit` checkpoints (save_total_limit); null or 0 keeps all. Returns the removed folders. */
export function rotateCheckpoints(runDir: string, limit: number | null): string[] {
  if (!limit || limit <= 0) return [];
  const root = path.join(runDir, 'checkpoints');
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => /^step-\d+$/.test(n));
  } catch {
    return [];
  }
  names.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const removed = names.slice(0, Math.max(0, names.length - limit)).map((n) => path.join(root, n));
  for (const d of removed) fs.rmSync(d, { recursive: true, force: true });
  return removed;
}
