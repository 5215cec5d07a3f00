// The one schema of a SimPO Studio training config: every key the trainer acts on, every key of the SimPO
// reference configs (HF TrainingArguments + SimPO's fields) that it accepts without acting on, and the aliases
// people port configs from (TRL, LLaMA-Factory, SimPO's own older names). Validation, hover, completion, the
// resolved config's defaults and media/simpo-config.schema.json are all derived from this file.
import type { SimpoConfig } from './types';

export type ValueType =
  | 'number'     // any finite number
  | 'integer'
  | 'string'
  | 'boolean'
  | 'enum'       // one of `enum`
  | 'string-list' // a list of strings
  | 'number-map' // a mapping of names to numbers (dataset_mixer)
  | 'any';       // anything (keys accepted for compatibility only)

export type PathKind = 'model' | 'dataset' | 'checkpoint' | 'dir';

export interface KeySpec {
  name: string;
  group: 'model' | 'data' | 'objective' | 'optimisation' | 'logging' | 'run' | 'compat';
  type: ValueType;
  /** null is an accepted value (means "unset / the default behaviour") */
  nullable?: boolean;
  /** the value when the key is absent (for `beta`: the SimPO default; see defaultsByAlgorithm) */
  default: unknown;
  /** defaults that depend on the algorithm */
  defaultsByAlgorithm?: Partial<Record<SimpoConfig['algorithm'], unknown>>;
  enum?: readonly string[];
  /** numeric range; exclusive bounds when the *Exclusive flag is set */
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** one or two sentences, markdown */
  doc: string;
  /** the SimPO paper's recommended values (shown in hover; SimPO's own keys only) */
  recommended?: string;
  effect: 'used' | 'no-effect';
  /** for no-effect keys: why it has no effect here */
  why?: string;
  /** values naming files or folders that validation checks */
  path?: PathKind;
  /** must be present */
  required?: boolean;
  /** TRL / LLaMA-Factory / older names of this key (see ALIASES for the conversion) */
  aliases?: string[];
}

/** The paper's hyperparameters (SimPO README table; effective batch 128 in every run). */
export const PAPER_SETTINGS: ReadonlyArray<{ setting: string; beta: number; gamma_beta_ratio: number; learning_rate: number }> = [
  { setting: 'Mistral-7B base', beta: 2.0, gamma_beta_ratio: 0.8, learning_rate: 3e-7 },
  { setting: 'Mistral-7B instruct', beta: 2.5, gamma_beta_ratio: 0.1, learning_rate: 5e-7 },
  { setting: 'Llama-3-8B base', beta: 2.0, gamma_beta_ratio: 0.5, learning_rate: 6e-7 },
  { setting: 'Llama-3-8B instruct', beta: 2.5, gamma_beta_ratio: 0.55, learning_rate: 1e-6 },
  { setting: 'Llama-3-8B instruct v0.2', beta: 10, gamma_beta_ratio: 0.3, learning_rate: 1e-6 },
  { setting: 'Gemma-2-9B instruct', beta: 10, gamma_beta_ratio: 0.5, learning_rate: 8e-7 },
];

const table = (col: 'beta' | 'gamma_beta_ratio' | 'learning_rate') =>
  PAPER_SETTINGS.map((s) => `${s.setting}: ${fmtNum(s[col])}`).join('; ');

const NO_EFFECT_ENGINE = 'the built-in engine trains in float32 on the CPU';

const K = (s: KeySpec): KeySpec => s;

export const KEYS: readonly KeySpec[] = [
  // ---------------------------------------------------------------- what to train
  K({ name: 'algorithm', group: 'model', type: 'enum', enum: ['simpo', 'dpo', 'sft'], default: 'simpo', effect: 'used',
    doc: 'The objective: `simpo` (reference-free, length-normalised reward with a target margin γ), `dpo` (log-ratio rewards against a frozen reference model, the paper\'s main baseline) or `sft` (cross-entropy on the chosen responses).' }),
  K({ name: 'model_name_or_path', group: 'model', type: 'string', default: '', required: true, path: 'model', effect: 'used',
    doc: 'The model to train: a local folder in Hugging Face format (`config.json`, `model.safetensors` or a sharded `model.safetensors.index.json`, tokenizer files), relative to the config file, or a hub id (`org/name`) resolved from the local Hugging Face cache. Llama, Mistral and Qwen2 architectures.' }),
  K({ name: 'ref_model_name_or_path', group: 'model', type: 'string', nullable: true, default: null, path: 'model', effect: 'used', aliases: ['ref_model'],
    doc: 'DPO only: the frozen reference model. Unset: the policy\'s starting weights are the reference (as in the SimPO paper\'s DPO baseline). SimPO needs no reference model.' }),
  // ---------------------------------------------------------------- data
  K({ name: 'dataset', group: 'data', type: 'string', nullable: true, default: null, path: 'dataset', effect: 'used',
    doc: 'Preference pairs: a `.jsonl`, `.json` or `.parquet` file (relative to the config file) or a hub dataset id from the local cache. Rows hold `prompt`/`chosen`/`rejected` as strings or as chat message lists (the UltraFeedback-binarized layout).' }),
  K({ name: 'dataset_mixer', group: 'data', type: 'number-map', nullable: true, default: null, path: 'dataset', effect: 'used',
    doc: 'Reference-config style data: `{path or hub id: fraction}`; each dataset is read from its `dataset_splits` and the given fraction of its rows is kept. Used when `dataset` is unset.' }),
  K({ name: 'dataset_splits', group: 'data', type: 'string-list', default: ['train', 'test'], effect: 'used',
    doc: 'Splits read from `dataset_mixer` hub datasets: the first is trained on, the second (if any) is the evaluation set.' }),
  K({ name: 'eval_dataset', group: 'data', type: 'string', nullable: true, default: null, path: 'dataset', effect: 'used',
    doc: 'A separate held-out file of preference pairs for evaluation (same formats as `dataset`).' }),
  K({ name: 'eval_split_ratio', group: 'data', type: 'number', default: 0, min: 0, max: 1, maxExclusive: true, effect: 'used',
    doc: 'Fraction of the training rows held out for evaluation when there is no `eval_dataset` and no evaluation split (0 = none).' }),
  K({ name: 'bad_rows', group: 'data', type: 'enum', enum: ['skip', 'fail'], default: 'skip', effect: 'used',
    doc: 'Malformed rows: `skip` them (counted and reported in train.log) or `fail` the run at the first one, naming file and line.' }),
  K({ name: 'chat_template', group: 'data', type: 'string', nullable: true, default: null, effect: 'used',
    doc: 'A Jinja chat template applied to the prompt messages. Unset: the one in the model\'s `tokenizer_config.json`. BOS is added only when the template does not add it already.' }),
  K({ name: 'max_length', group: 'data', type: 'integer', default: 512, min: 1, effect: 'used', aliases: ['max_seq_length', 'cutoff_len'],
    doc: 'Maximum tokens of prompt + response. Longer pairs are truncated: the prompt first (to `max_prompt_length`, see `truncation_mode`), then the responses to `max_length - max_prompt_length`.' }),
  K({ name: 'max_prompt_length', group: 'data', type: 'integer', default: 128, min: 1, effect: 'used',
    doc: 'Maximum prompt tokens kept when a pair is longer than `max_length`. Must be below `max_length`.' }),
  K({ name: 'truncation_mode', group: 'data', type: 'enum', enum: ['keep_end', 'keep_start'], default: 'keep_end', effect: 'used',
    doc: 'Which end of an over-long prompt is kept: `keep_end` (the reference default: the last turns) or `keep_start`.' }),
  K({ name: 'group_by_length', group: 'data', type: 'boolean', default: false, effect: 'used',
    doc: 'Batch pairs of similar length together (less padding, faster; the order is still seeded).' }),
  // ---------------------------------------------------------------- objective
  K({ name: 'beta', group: 'objective', type: 'number', default: 2.0, defaultsByAlgorithm: { simpo: 2.0, dpo: 0.1 }, min: 0, minExclusive: true, effect: 'used', aliases: ['pref_beta'],
    doc: 'SimPO: the reward scale, reward = β · average log-prob of the response. DPO: the KL-penalty strength on the log-ratio. SimPO\'s β is much larger than DPO\'s.',
    recommended: `2.0 to 10 (${table('beta')}); DPO: 0.01 in the paper's baseline` }),
  K({ name: 'gamma_beta_ratio', group: 'objective', type: 'number', default: 0.25, min: 0, effect: 'used', aliases: ['simpo_gamma', 'gamma'],
    doc: 'SimPO\'s target reward margin as a ratio: γ = β · gamma_beta_ratio; the loss is −log σ(β·Δavg_logp − γ). SimPO only.',
    recommended: `start at 0.5 and search 0 to 1 (${table('gamma_beta_ratio')})` }),
  K({ name: 'loss_type', group: 'objective', type: 'enum', enum: ['sigmoid', 'hinge'], default: 'sigmoid', effect: 'used',
    doc: '`sigmoid`: −log σ(β·Δ − γ) (the paper). `hinge`: relu(1 − β·(Δ − γ/β)).',
    recommended: 'sigmoid' }),
  K({ name: 'label_smoothing', group: 'objective', type: 'number', default: 0, min: 0, max: 0.5, maxExclusive: true, effect: 'used',
    doc: 'Conservative loss: mixes in −log σ(−·) with weight ε (sigmoid loss only). 0 = off.', recommended: '0' }),
  K({ name: 'sft_weight', group: 'objective', type: 'number', default: 0, min: 0, effect: 'used', aliases: ['cpo_alpha', 'pref_ftx'],
    doc: 'Adds this weight times the cross-entropy of the chosen response to the loss (0 = pure SimPO; > 0 is CPO-SimPO-like).', recommended: '0' }),
  // ---------------------------------------------------------------- optimisation
  K({ name: 'learning_rate', group: 'optimisation', type: 'number', default: 1e-6, min: 0, minExclusive: true, effect: 'used',
    doc: 'Peak learning rate of AdamW. The hyperparameter that matters most for SimPO.',
    recommended: `3e-7 to 1e-6 (${table('learning_rate')}); 1e-5 gives incoherent, repetitive output; DPO: 3e-7 to 7e-7` }),
  K({ name: 'lr_scheduler_type', group: 'optimisation', type: 'enum', enum: ['linear', 'cosine', 'constant', 'constant_with_warmup'], default: 'cosine', effect: 'used',
    doc: 'Learning-rate schedule after warmup (the reference configs use `cosine`).' }),
  K({ name: 'warmup_ratio', group: 'optimisation', type: 'number', default: 0.1, min: 0, max: 1, effect: 'used',
    doc: 'Fraction of the total steps spent warming the learning rate up linearly from 0 (ignored when `warmup_steps` > 0).' }),
  K({ name: 'warmup_steps', group: 'optimisation', type: 'integer', default: 0, min: 0, effect: 'used',
    doc: 'Warmup steps; overrides `warmup_ratio` when > 0.' }),
  K({ name: 'num_train_epochs', group: 'optimisation', type: 'number', default: 1, min: 0, minExclusive: true, effect: 'used',
    doc: 'Passes over the training data (fractions allowed). Ignored when `max_steps` > 0.' }),
  K({ name: 'max_steps', group: 'optimisation', type: 'integer', default: -1, min: -1, effect: 'used',
    doc: 'Total optimizer steps; -1 = computed from `num_train_epochs`.' }),
  K({ name: 'per_device_train_batch_size', group: 'optimisation', type: 'integer', default: 2, min: 1, effect: 'used',
    doc: 'Preference pairs per forward pass (chosen and rejected run together as 2× this many rows).' }),
  K({ name: 'per_device_eval_batch_size', group: 'optimisation', type: 'integer', default: 4, min: 1, effect: 'used',
    doc: 'Preference pairs per evaluation forward pass.' }),
  K({ name: 'gradient_accumulation_steps', group: 'optimisation', type: 'integer', default: 1, min: 1, effect: 'used',
    doc: 'Forward/backward passes summed per optimizer step. Effective batch = per_device_train_batch_size × gradient_accumulation_steps (× devices).',
    recommended: 'effective batch 128 in every reference run' }),
  K({ name: 'weight_decay', group: 'optimisation', type: 'number', default: 0, min: 0, effect: 'used', doc: 'AdamW decoupled weight decay.' }),
  K({ name: 'adam_beta1', group: 'optimisation', type: 'number', default: 0.9, min: 0, max: 1, maxExclusive: true, effect: 'used', doc: 'AdamW β1: decay rate of the first-moment (mean) estimate of the gradients.' }),
  K({ name: 'adam_beta2', group: 'optimisation', type: 'number', default: 0.999, min: 0, max: 1, maxExclusive: true, effect: 'used', doc: 'AdamW β2: decay rate of the second-moment (uncentred variance) estimate of the gradients.' }),
  K({ name: 'adam_epsilon', group: 'optimisation', type: 'number', default: 1e-8, min: 0, minExclusive: true, effect: 'used', doc: 'AdamW ε: added to the denominator for numerical stability.' }),
  K({ name: 'max_grad_norm', group: 'optimisation', type: 'number', default: 1.0, min: 0, effect: 'used', doc: 'Gradient clipping by global norm (0 = no clipping).' }),
  K({ name: 'seed', group: 'optimisation', type: 'integer', default: 42, min: 0, effect: 'used', doc: 'Seed of every random choice (data shuffling, the eval split, sampling order): the same seed, config and data give the same run.' }),
  // ---------------------------------------------------------------- logging, evaluation, checkpoints
  K({ name: 'logging_steps', group: 'logging', type: 'integer', default: 5, min: 1, effect: 'used', doc: 'Write a metrics line every this many optimizer steps.' }),
  K({ name: 'eval_strategy', group: 'logging', type: 'enum', enum: ['no', 'steps', 'epoch'], default: 'no', effect: 'used', aliases: ['evaluation_strategy'],
    doc: 'When to evaluate on the held-out set: `no`, every `eval_steps` (`steps`) or at each epoch\'s end (`epoch`).' }),
  K({ name: 'eval_steps', group: 'logging', type: 'integer', default: 100, min: 1, effect: 'used', doc: 'Evaluate every this many optimizer steps (with `eval_strategy: steps`).' }),
  K({ name: 'save_strategy', group: 'logging', type: 'enum', enum: ['no', 'steps', 'epoch'], default: 'steps', effect: 'used',
    doc: 'When to write checkpoints (`checkpoints/step-N/`); the final model is always written to `final/`.' }),
  K({ name: 'save_steps', group: 'logging', type: 'integer', default: 500, min: 1, effect: 'used', doc: 'Checkpoint every this many optimizer steps (with `save_strategy: steps`).' }),
  K({ name: 'save_total_limit', group: 'logging', type: 'integer', nullable: true, default: null, min: 1, effect: 'used', doc: 'Keep at most this many checkpoints (the oldest are deleted). Unset: keep all.' }),
  K({ name: 'num_samples', group: 'logging', type: 'integer', default: 4, min: 0, effect: 'used', doc: 'Held-out prompts answered greedily before and after training (`samples.jsonl`).' }),
  K({ name: 'max_new_tokens', group: 'logging', type: 'integer', default: 64, min: 1, effect: 'used', doc: 'Maximum tokens generated per sample.' }),
  // ---------------------------------------------------------------- where and how
  K({ name: 'run_name', group: 'run', type: 'string', nullable: true, default: null, effect: 'used', doc: 'The run\'s display name. Unset: the config file\'s name.' }),
  K({ name: 'runs_dir', group: 'run', type: 'string', nullable: true, default: null, path: 'dir', effect: 'used',
    doc: 'Where run directories are written. Unset: `.simpo/runs` under the workspace (the CLI: the current directory).' }),
  K({ name: 'device', group: 'run', type: 'enum', enum: ['cpu', 'cuda', 'webgpu'], default: 'cpu', effect: 'used',
    doc: 'Where the built-in engine runs. `cpu` is supported; `cuda` and `webgpu` are planned execution providers.' }),
  K({ name: 'threads', group: 'run', type: 'integer', default: 0, min: 0, effect: 'used', doc: 'Intra-op threads of the engine (0 = all cores).' }),
  K({ name: 'steps_per_call', group: 'run', type: 'integer', default: 1, min: 1, effect: 'used', doc: 'Optimizer steps per engine call (an ONNX Loop); larger values cut per-step overhead, metrics still per step.' }),
  K({ name: 'resume_from_checkpoint', group: 'run', type: 'string', nullable: true, default: null, path: 'checkpoint', effect: 'used',
    doc: 'A checkpoint folder (`checkpoints/step-N`) of an earlier run to continue from.' }),
  // ---------------------------------------------------------------- accepted for compatibility, no effect here
  ...noEffect([
    ['torch_dtype', 'any', `${NO_EFFECT_ENGINE}; weights are converted on load and saved in the input model's dtype`],
    ['attn_implementation', 'any', 'the built-in engine has one attention implementation (no flash-attention / sdpa choice)'],
    ['use_flash_attention_2', 'any', 'the built-in engine has one attention implementation'],
    ['model_revision', 'any', 'models are local folders or already in the Hugging Face cache; no revision is downloaded'],
    ['trust_remote_code', 'any', 'no model code is ever downloaded or run; the architecture is built in'],
    ['preprocessing_num_workers', 'any', 'data is read and tokenized in the training process'],
    ['dataloader_num_workers', 'any', 'data is read and tokenized in the training process'],
    ['remove_unused_columns', 'any', 'only the prompt/chosen/rejected columns are read'],
    ['bf16', 'any', NO_EFFECT_ENGINE],
    ['fp16', 'any', NO_EFFECT_ENGINE],
    ['tf32', 'any', NO_EFFECT_ENGINE],
    ['do_train', 'any', 'a run always trains'],
    ['do_eval', 'any', 'evaluation follows `eval_strategy`'],
    ['gradient_checkpointing', 'any', 'the engine keeps activations; memory is charted per run instead'],
    ['gradient_checkpointing_kwargs', 'any', 'the engine keeps activations'],
    ['optim', 'any', 'the optimizer is always AdamW (adam_beta1, adam_beta2, adam_epsilon, weight_decay)'],
    ['output_dir', 'any', 'each run writes its own directory under the runs dir (`runs_dir`)'],
    ['overwrite_output_dir', 'any', 'each run gets a fresh directory'],
    ['hub_model_id', 'any', 'nothing is pushed to the Hugging Face Hub'],
    ['hub_strategy', 'any', 'nothing is pushed to the Hugging Face Hub'],
    ['hub_private_repo', 'any', 'nothing is pushed to the Hugging Face Hub'],
    ['push_to_hub', 'any', 'nothing is pushed to the Hugging Face Hub'],
    ['report_to', 'any', 'metrics go to the run\'s metrics.jsonl and the charts, not to wandb / tensorboard'],
    ['log_level', 'any', 'train.log always records the run at one level'],
    ['logging_strategy', 'any', 'metrics are logged every `logging_steps` steps'],
    ['logging_first_step', 'any', 'metrics are logged every `logging_steps` steps'],
    ['save_only_model', 'any', 'checkpoints hold the model (and the optimizer state needed to resume)'],
    ['deepspeed', 'any', 'training runs in one local process; DeepSpeed/FSDP belong to the planned PyTorch trainer'],
    ['fsdp', 'any', 'training runs in one local process'],
    ['fsdp_config', 'any', 'training runs in one local process'],
    ['ddp_timeout', 'any', 'training runs in one local process'],
    ['local_rank', 'any', 'training runs in one local process'],
    ['torch_compile', 'any', 'the engine runs ONNX graphs through onnxruntime, not PyTorch'],
    ['use_peft', 'any', 'full fine-tuning only (no LoRA adapters yet)'],
    ['lora_r', 'any', 'full fine-tuning only (no LoRA adapters yet)'],
    ['lora_alpha', 'any', 'full fine-tuning only (no LoRA adapters yet)'],
    ['lora_dropout', 'any', 'full fine-tuning only (no LoRA adapters yet)'],
    ['load_in_4bit', 'any', 'no quantized training'],
    ['load_in_8bit', 'any', 'no quantized training'],
  ]),
];

function noEffect(rows: Array<[string, ValueType, string]>): KeySpec[] {
  return rows.map(([name, type, why]) => ({
    name, group: 'compat', type, nullable: true, default: null, effect: 'no-effect', why,
    doc: `Accepted for compatibility with the SimPO reference configs (HF TrainingArguments); has no effect here: ${why}.`,
  }));
}

export const KEY_BY_NAME: ReadonlyMap<string, KeySpec> = new Map(KEYS.map((k) => [k.name, k]));
export const USED_KEYS: readonly KeySpec[] = KEYS.filter((k) => k.effect === 'used');

// ---------------------------------------------------------------- aliases

/** The written value of an alias plus what the rest of the config says (for conversions needing beta). */
export interface AliasContext {
  /** the config's beta (after aliases), or the algorithm's default when unset */
  beta: number;
  betaWasSet: boolean;
}

/** The rewrite of an alias into this project's keys. A null value deletes nothing: it means "drop the alias". */
export interface AliasRewrite {
  /** keys and values to write instead of the alias (empty: simply delete it) */
  set: Array<{ key: string; value: unknown }>;
  /** one sentence explaining the conversion (shown in the diagnostic) */
  explain: string;
  severity: 'warning' | 'information';
}

export interface AliasSpec {
  name: string;
  /** where the name comes from */
  source: string;
  /** the target key (for hover / schema) */
  target: string;
  /** converts the written value; returns a string for a value that cannot be converted (an error message) */
  convert(value: unknown, ctx: AliasContext): AliasRewrite | string;
  /** when the alias is a value alias of a key of ours: the key's alias-only values (e.g. loss_type: simpo) */
  values?: readonly string[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const fmt = (x: number) => String(Number(x.toPrecision(6)));

function rename(name: string, target: string, source: string): AliasSpec {
  return {
    name, source, target,
    convert: (v) => ({ set: [{ key: target, value: v }], severity: 'information', explain: `\`${name}\` (${source}) is \`${target}\` here.` }),
  };
}

function absoluteGamma(name: string, source: string): AliasSpec {
  return {
    name, source, target: 'gamma_beta_ratio',
    convert: (v, ctx) => {
      const g = num(v);
      if (g === undefined) return `\`${name}\` must be a number (an absolute target margin γ)`;
      const ratio = Number((g / ctx.beta).toPrecision(6));
      return {
        set: [{ key: 'gamma_beta_ratio', value: ratio }],
        severity: 'warning',
        explain: `\`${name}\` (${source}) is an absolute margin γ = ${fmt(g)}; this trainer takes γ/β: with beta ${fmt(ctx.beta)}${ctx.betaWasSet ? '' : ' (the default)'} that is gamma_beta_ratio: ${fmt(ratio)}.`,
      };
    },
  };
}

export const ALIASES: readonly AliasSpec[] = [
  rename('evaluation_strategy', 'eval_strategy', 'HF TrainingArguments, older name'),
  rename('max_seq_length', 'max_length', 'TRL SFT'),
  rename('cutoff_len', 'max_length', 'LLaMA-Factory'),
  rename('ref_model', 'ref_model_name_or_path', 'TRL'),
  rename('pref_beta', 'beta', 'LLaMA-Factory'),
  absoluteGamma('simpo_gamma', 'TRL CPOTrainer / LLaMA-Factory'),
  absoluteGamma('gamma', 'SimPO before July 2024'),
  {
    name: 'cpo_alpha', source: 'TRL CPOTrainer', target: 'sft_weight',
    convert: (v) => {
      const a = num(v);
      if (a === undefined || a < 0) return '`cpo_alpha` must be a number ≥ 0';
      return a > 0
        ? { set: [{ key: 'sft_weight', value: a }], severity: 'warning', explain: `\`cpo_alpha: ${fmt(a)}\` (TRL) adds ${fmt(a)} × the NLL of the chosen response: that is CPO-SimPO, not SimPO. Here it is sft_weight: ${fmt(a)}; use 0 for the paper's SimPO.` }
        : { set: [], severity: 'information', explain: '`cpo_alpha: 0` (TRL) is pure SimPO, the default here: the key can go.' };
    },
  },
  {
    name: 'pref_ftx', source: 'LLaMA-Factory', target: 'sft_weight',
    convert: (v) => {
      const a = num(v);
      if (a === undefined || a < 0) return '`pref_ftx` must be a number ≥ 0';
      return { set: [{ key: 'sft_weight', value: a }], severity: 'information', explain: `\`pref_ftx\` (LLaMA-Factory) is \`sft_weight\` here.` };
    },
  },
  {
    name: 'pref_loss', source: 'LLaMA-Factory', target: 'algorithm',
    convert: (v) => {
      switch (v) {
        case 'simpo': return { set: [{ key: 'algorithm', value: 'simpo' }], severity: 'information', explain: '`pref_loss: simpo` (LLaMA-Factory) is `algorithm: simpo` here.' };
        case 'sigmoid': return { set: [{ key: 'algorithm', value: 'dpo' }], severity: 'information', explain: '`pref_loss: sigmoid` (LLaMA-Factory) is DPO: `algorithm: dpo` here.' };
        case 'hinge': return { set: [{ key: 'algorithm', value: 'dpo' }, { key: 'loss_type', value: 'hinge' }], severity: 'information', explain: '`pref_loss: hinge` (LLaMA-Factory) is DPO with a hinge loss here.' };
        default: return `\`pref_loss: ${String(v)}\` is not supported here: use simpo, sigmoid (DPO) or hinge`;
      }
    },
  },
];

export const ALIAS_BY_NAME: ReadonlyMap<string, AliasSpec> = new Map(ALIASES.map((a) => [a.name, a]));

/** `loss_type: simpo` (TRL CPOTrainer) and TRL's DPO loss names: values of loss_type that are aliases. */
export function lossTypeValueAlias(value: unknown): AliasRewrite | undefined {
  if (value === 'simpo') {
    return { set: [{ key: 'algorithm', value: 'simpo' }, { key: 'loss_type', value: 'sigmoid' }], severity: 'warning',
      explain: '`loss_type: simpo` is TRL\'s CPOTrainer spelling: here it is `algorithm: simpo` with `loss_type: sigmoid`. Mind TRL\'s other defaults when porting: beta 0.1 (SimPO: 2 to 10), an absolute simpo_gamma, and cpo_alpha 1.0 (CPO-SimPO).' };
  }
  return undefined;
}

// ---------------------------------------------------------------- defaults

/** Every used key's default for an algorithm (beta depends on it). */
export function defaultsFor(algorithm: SimpoConfig['algorithm'] = 'simpo'): SimpoConfig {
  const out: Record<string, unknown> = {};
  for (const k of USED_KEYS) {
    const d = k.defaultsByAlgorithm?.[algorithm] ?? k.default;
    out[k.name] = Array.isArray(d) ? [...d] : d;
  }
  out.algorithm = algorithm;
  return out as unknown as SimpoConfig;
}

/** Range of a numeric key as text: "> 0", "0 to 1", ">= 1"... */
export function rangeText(k: KeySpec): string | undefined {
  const lo = k.min === undefined ? undefined : `${k.minExclusive ? '>' : '≥'} ${k.min}`;
  const hi = k.max === undefined ? undefined : `${k.maxExclusive ? '<' : '≤'} ${k.max}`;
  if (lo && hi) return `${lo} and ${hi}`;
  return lo ?? hi;
}

/** Whether a number is inside a key's range. */
export function inRange(k: KeySpec, x: number): boolean {
  if (k.min !== undefined && (k.minExclusive ? !(x > k.min) : !(x >= k.min))) return false;
  if (k.max !== undefined && (k.maxExclusive ? !(x < k.max) : !(x <= k.max))) return false;
  return true;
}

/** Markdown shown on hover: what it does, default, range, the paper's recommendation, no-effect reason. */
export function keyMarkdown(k: KeySpec): string {
  const lines = [`**${k.name}**${k.effect === 'no-effect' ? ' _(no effect here)_' : ''}`, '', k.doc, ''];
  if (k.effect === 'used') {
    const type = k.type === 'enum' ? k.enum!.map((e) => `\`${e}\``).join(' | ') : k.type;
    lines.push(`- type: ${type}${k.nullable ? ' or null' : ''}`);
    const byAlg = k.defaultsByAlgorithm ? Object.entries(k.defaultsByAlgorithm).map(([a, v]) => `${a}: \`${JSON.stringify(v)}\``).join(', ') : undefined;
    lines.push(`- default: ${byAlg ?? (k.required ? '(required)' : `\`${JSON.stringify(k.default)}\``)}`);
    const r = rangeText(k);
    if (r) lines.push(`- range: ${r}`);
    if (k.recommended) lines.push(`- paper (SimPO, Meng et al. 2024): ${k.recommended}`);
    if (k.aliases?.length) lines.push(`- also accepted: ${k.aliases.map((a) => `\`${a}\``).join(', ')} (converted)`);
  }
  return lines.join('\n').trimEnd();
}

/** A number as people write hyperparameters: 1e-6 rather than 0.000001. */
export function fmtNum(x: number): string {
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential().replace(/\.?0+e/, 'e').replace('e-0', 'e-');
  return String(Number(x.toPrecision(6)));
}
