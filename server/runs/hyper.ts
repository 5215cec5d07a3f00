// Key hyperparameters of a run for tooltips and tables, read from its resolved config.yaml (or, before the trainer
// has written it, from the config file the run was started from). Reading never throws: a run with an unreadable
// config simply has no hyperparameters to show.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { RUN_FILES } from '../protocol/runs';

export type Hyper = Record<string, string | number | boolean>;

/** Config keys shown as they are (when scalar). */
const KEYS = [
  'algorithm', 'beta', 'gamma_beta_ratio', 'loss_type', 'learning_rate', 'lr_scheduler_type', 'num_train_epochs',
  'max_steps', 'per_device_train_batch_size', 'gradient_accumulation_steps', 'max_length', 'seed', 'device',
] as const;

/** Picks the key hyperparameters from a parsed config object. */
export function hyperFromConfig(cfg: unknown): Hyper | undefined {
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) return undefined;
  const c = cfg as Record<string, unknown>;
  const out: Hyper = {};
  for (const k of KEYS) {
    const v = c[k];
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[k] = v;
  }
  const bs = c.per_device_train_batch_size;
  const ga = c.gradient_accumulation_steps ?? 1;
  if (typeof bs === 'number' && typeof ga === 'number') out.effective_batch_size = bs * ga;
  if (typeof c.model_name_or_path === 'string') out.model = c.model_name_or_path;
  const ds = c.dataset ?? (c.dataset_mixer && typeof c.dataset_mixer === 'object' ? Object.keys(c.dataset_mixer).join(', ') : undefined);
  if (typeof ds === 'string' && ds) out.dataset = ds;
  return Object.keys(out).length ? out : undefined;
}

/** Reads a YAML file and picks its hyperparameters; undefined when it is missing or not a mapping. */
export function readHyper(file: string): Hyper | undefined {
  try {
    return hyperFromConfig(parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/** The config file that describes a run: its resolved config.yaml, else the file it was started from. */
export function runConfigFile(dir: string, configPath?: string): string | undefined {
  const resolved = path.join(dir, RUN_FILES.config);
  if (fs.existsSync(resolved)) return resolved;
  return configPath && fs.existsSync(configPath) ? configPath : undefined;
}
