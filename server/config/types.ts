// The resolved training config: every key the trainer acts on, with defaults filled in. Key names follow the
// SimPO reference configs (HF TrainingArguments + SimPO's fields) wherever a reference name exists.
// The schema in ./schema.ts is the single source of keys, defaults, ranges and docs; this interface is its
// typed view for the trainer (a test checks the two agree).

export type Algorithm = 'simpo' | 'dpo' | 'sft';
export type LossType = 'sigmoid' | 'hinge';
export type Scheduler = 'linear' | 'cosine' | 'constant' | 'constant_with_warmup';
export type Strategy = 'no' | 'steps' | 'epoch';
export type Device = 'cpu' | 'cuda' | 'webgpu';

export interface SimpoConfig {
  // what to train
  algorithm: Algorithm;               // simpo (default), dpo, sft
  model_name_or_path: string;         // local HF-format folder, or a hub id resolved from the local HF cache
  ref_model_name_or_path: string | null; // DPO's frozen reference (default: the policy's starting weights)
  // data
  dataset: string | null;             // .jsonl / .json / .parquet of preference pairs
  dataset_mixer: Record<string, number> | null; // reference style: {path or hub id: fraction}
  dataset_splits: string[];           // reference style: ['train', 'test']
  eval_dataset: string | null;        // separate held-out file
  eval_split_ratio: number;           // fraction of the training file held out when no eval file/split (0 = none)
  bad_rows: 'skip' | 'fail';          // malformed rows: skip (counted, reported) or fail the run
  chat_template: string | null;       // Jinja; default: tokenizer_config.json's
  max_length: number;                 // 512
  max_prompt_length: number;          // 128
  truncation_mode: 'keep_end' | 'keep_start';
  group_by_length: boolean;
  // objective
  beta: number;                       // SimPO 2.0; DPO 0.1
  gamma_beta_ratio: number;           // 0.25 (γ = β · ratio)
  loss_type: LossType;                // sigmoid
  label_smoothing: number;            // 0
  sft_weight: number;                 // 0
  // optimisation
  learning_rate: number;
  lr_scheduler_type: Scheduler;
  warmup_ratio: number;
  warmup_steps: number;
  num_train_epochs: number;
  max_steps: number;                  // -1 = from epochs
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  gradient_accumulation_steps: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  max_grad_norm: number;              // 0 = no clipping
  seed: number;
  // logging, evaluation, checkpoints
  logging_steps: number;
  eval_strategy: Strategy;            // alias: evaluation_strategy
  eval_steps: number;
  save_strategy: Strategy;
  save_steps: number;
  save_total_limit: number | null;
  num_samples: number;                // held-out prompts answered greedily before and after (samples.jsonl)
  max_new_tokens: number;
  // where and how
  run_name: string | null;
  runs_dir: string | null;            // default: .simpo/runs under the workspace (CLI: the current directory)
  device: Device;
  threads: number;                    // intra-op threads (0 = all cores)
  steps_per_call: number;             // optimizer steps per session.run (ONNX Loop)
  resume_from_checkpoint: string | null;
}
