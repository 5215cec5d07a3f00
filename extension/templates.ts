// Config templates prefilled with the SimPO paper's recommended values (Meng et al. 2024, Llama-3-8B-Instruct row of
// the reference configs: beta 2.5, gamma_beta_ratio 0.55, lr 1e-6, effective batch 128) and, for the DPO baseline,
// the paper README's best DPO settings (beta 0.01, lr 5e-7 in its 3e-7..7e-7 range). Pure text, no vscode import.
export type TemplateAlgorithm = 'simpo' | 'dpo';

export interface TemplateOptions {
  algorithm: TemplateAlgorithm;
  model?: string;
  dataset?: string;
  runName?: string;
}

export function configTemplate(o: TemplateOptions): string {
  const model = o.model ?? './model';
  const dataset = o.dataset ?? './data/train.jsonl';
  const name = o.runName ?? `${o.algorithm}-run`;
  const objective = o.algorithm === 'simpo'
    ? [
      '# SimPO: reward = beta * average log-prob of the response; no reference model.',
      'algorithm: simpo',
      'beta: 2.5                 # paper: 2.0 to 10 (Llama-3-8B-Instruct: 2.5)',
      'gamma_beta_ratio: 0.55    # target margin gamma = beta * ratio; search 0..1, start at 0.5',
      'loss_type: sigmoid',
      'sft_weight: 0.0',
      'learning_rate: 1.0e-6     # matters most: grid 3e-7..1e-6; 1e-5 makes output incoherent',
    ]
    : [
      '# DPO baseline: log-ratio rewards against a frozen reference model (the starting weights by default).',
      'algorithm: dpo',
      'beta: 0.01                # the SimPO paper\'s best DPO setting',
      'loss_type: sigmoid',
      'learning_rate: 5.0e-7     # paper: 3e-7..7e-7',
    ];
  return [
    `# SimPO Studio training config (${o.algorithm.toUpperCase()}). Validated as you type; hover a key for its documentation.`,
    `model_name_or_path: ${model}`,
    `dataset: ${dataset}`,
    'max_length: 512',
    'max_prompt_length: 128',
    '',
    ...objective,
    'lr_scheduler_type: cosine',
    'warmup_ratio: 0.1',
    'num_train_epochs: 1',
    '# effective batch 128 as in every reference run (per-device batch x gradient accumulation)',
    'per_device_train_batch_size: 2',
    'gradient_accumulation_steps: 64',
    'seed: 42',
    '',
    'logging_steps: 1',
    'eval_strategy: steps',
    'eval_steps: 100',
    'save_strategy: steps',
    'save_steps: 200',
    '',
    `run_name: ${name}`,
    'device: cpu',
    '',
  ].join('\n');
}
