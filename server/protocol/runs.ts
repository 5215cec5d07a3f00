// The run directory contract (../shared/DESIGN.md): types shared by the trainer, the run manager, the CLI,
// the extension and the webview. Defined once, here. Change only with a migration.

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'stopped';

/** `<runs dir>/<run id>/run.json` */
export interface RunInfo {
  id: string;
  name: string;
  status: RunStatus;
  /** pid of the trainer process while it lives */
  pid?: number;
  /** 'onnxruntime-node' for the built-in engine; later 'pytorch' */
  engine: string;
  /** 'cpu' | 'cuda' | 'webgpu' */
  device: string;
  /** algorithm the run trains with: 'simpo' | 'dpo' | 'sft' */
  algorithm?: string;
  /** absolute path of the config file the run was started from */
  configPath?: string;
  created: string; // ISO 8601
  started?: string;
  ended?: string;
  /** set when status is 'failed' */
  error?: string;
  totalSteps: number;
  /** last optimizer step written to metrics.jsonl */
  step?: number;
  /** checkpoint the run resumed from, if any */
  resumedFrom?: string;
}

/** File names inside a run directory. */
export const RUN_FILES = {
  info: 'run.json',
  config: 'config.yaml',
  metrics: 'metrics.jsonl',
  log: 'train.log',
  samples: 'samples.jsonl',
  checkpoints: 'checkpoints',
  final: 'final',
} as const;

/** Metric names (SimPO reference trainer / TRL). Evaluation lines carry the same names with `eval_`. */
export const METRIC_KEYS = [
  'loss',
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
  'logits/chosen',
  'logits/rejected',
  'sft_loss',
  'learning_rate',
  'grad_norm',
  'tokens_per_second',
  'peak_memory_mb',
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** One line of metrics.jsonl. Training lines have `loss`; evaluation lines have `eval_loss` etc. */
export interface MetricsLine {
  step: number;
  epoch: number;
  /** ms since epoch */
  time: number;
  [key: string]: number;
}

/** One line of samples.jsonl: greedy answers of the model before and after training on held-out prompts. */
export interface SampleLine {
  prompt: string;
  before: string;
  after: string;
  /** optional: the preferred answer and whether each generation is judged correct by the task */
  reference?: string;
  beforeCorrect?: boolean;
  afterCorrect?: boolean;
}
