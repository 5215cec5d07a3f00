// Cross-field rules over the resolved config: required keys, max_prompt_length < max_length, the effective batch,
// the paper's recommended ranges, DPO's reference model, keys that only some algorithms use, evaluation data.
import { looksLikeHubId } from '../../data/hub-cache';
import type { Entry, ParsedConfig } from '../parse';
import { PAPER_SETTINGS, fmtNum } from '../schema';
import type { SimpoConfig } from '../types';
import type { Emit } from './values';

export interface CrossRuleOptions {
  /** warn where a value leaves the SimPO paper's recommended ranges */
  paperRecommendations: boolean;
}

const betas = [...new Set(PAPER_SETTINGS.map((s) => s.beta))].join(', ');
const lrs = PAPER_SETTINGS.map((s) => `${s.setting} ${fmtNum(s.learning_rate)}`).join(', ');

export function checkCross(p: ParsedConfig, c: SimpoConfig, origin: Map<string, Entry>, opts: CrossRuleOptions, emit: Emit): void {
  const top = p.lines.range(0, 0);
  const at = (key: string) => origin.get(key)?.valueRange;
  const keyAt = (key: string) => origin.get(key)?.keyRange;

  const complete = p.syntaxErrors === 0;
  if (complete && !origin.has('model_name_or_path') && !p.byKey.has('model_name_or_path')) {
    emit({ range: top, severity: 'error', code: 'required', message: '`model_name_or_path` is required: a local Hugging Face model folder or a hub id in the local cache' });
  }
  if (complete && !origin.has('dataset') && !origin.has('dataset_mixer') && !p.byKey.has('dataset') && !p.byKey.has('dataset_mixer')) {
    emit({ range: top, severity: 'error', code: 'required', message: 'no training data: set `dataset` (a .jsonl/.json/.parquet file of preference pairs) or `dataset_mixer`' });
  }
  if (c.max_prompt_length >= c.max_length && (origin.has('max_prompt_length') || origin.has('max_length'))) {
    emit({
      range: at('max_prompt_length') ?? at('max_length')!, severity: 'error', code: 'max-prompt-length',
      message: `\`max_prompt_length\` (${c.max_prompt_length}) must be below \`max_length\` (${c.max_length}): responses keep max_length - max_prompt_length tokens`,
      data: c.max_length > 1 ? { kind: 'value', key: 'max_prompt_length', value: Math.max(1, Math.floor(c.max_length / 4)), title: `Set max_prompt_length to ${Math.max(1, Math.floor(c.max_length / 4))}` } : undefined,
    });
  }
  const bsEntry = origin.get('per_device_train_batch_size') ?? origin.get('gradient_accumulation_steps');
  if (bsEntry) {
    const eff = c.per_device_train_batch_size * c.gradient_accumulation_steps;
    emit({ range: bsEntry.keyRange, severity: 'information', code: 'effective-batch',
      message: `effective batch size ${eff} = per_device_train_batch_size ${c.per_device_train_batch_size} × gradient_accumulation_steps ${c.gradient_accumulation_steps} (one device); every SimPO reference run uses 128, and results move with it` });
  }

  if (c.algorithm === 'simpo') {
    if (opts.paperRecommendations && c.beta < 1 && origin.has('beta')) {
      emit({ range: at('beta')!, severity: 'warning', code: 'paper-beta',
        message: `SimPO beta ${c.beta} is far below the paper's values (${betas}; DPO-like betas such as 0.1 give SimPO a tiny reward scale). Paper: ${PAPER_SETTINGS.map((s) => `${s.setting} β ${s.beta}`).join(', ')}`,
        data: { kind: 'value', key: 'beta', value: 2.0, title: 'Set beta to 2.0 (SimPO default)' } });
    }
    if (c.gamma_beta_ratio > 1 && origin.has('gamma_beta_ratio')) {
      emit({ range: at('gamma_beta_ratio')!, severity: 'warning', code: 'gamma-ratio-range',
        message: `gamma_beta_ratio ${c.gamma_beta_ratio} is outside 0..1, the range the paper searches (start at 0.5): the target margin γ = ${Number((c.beta * c.gamma_beta_ratio).toPrecision(4))} is larger than β`,
        data: { kind: 'value', key: 'gamma_beta_ratio', value: 0.5, title: 'Set gamma_beta_ratio to 0.5' } });
    }
    if (origin.get('ref_model_name_or_path') && c.ref_model_name_or_path) {
      emit({ range: keyAt('ref_model_name_or_path')!, severity: 'information', code: 'unused-for-algorithm', message: 'SimPO uses no reference model: `ref_model_name_or_path` is only read by `algorithm: dpo`' });
    }
  } else {
    for (const k of ['gamma_beta_ratio'] as const) {
      const e = origin.get(k);
      if (e && e.key === k) emit({ range: e.keyRange, severity: 'information', code: 'unused-for-algorithm', message: `\`${k}\` is SimPO's target margin: not used by \`algorithm: ${c.algorithm}\`` });
    }
  }
  if (c.algorithm === 'dpo' && !c.ref_model_name_or_path) {
    emit({ range: keyAt('algorithm') ?? top, severity: 'information', code: 'dpo-reference',
      message: 'DPO without `ref_model_name_or_path`: the policy\'s starting weights are the frozen reference model (as in the paper\'s DPO baseline)' });
  }
  if (c.algorithm === 'sft') {
    for (const k of ['beta', 'loss_type', 'label_smoothing', 'sft_weight'] as const) {
      const e = origin.get(k);
      if (e) emit({ range: e.keyRange, severity: 'information', code: 'unused-for-algorithm', message: `\`${e.key}\` is a preference-loss setting: not used by \`algorithm: sft\`` });
    }
  }
  if (opts.paperRecommendations && c.learning_rate > 1e-5 && origin.has('learning_rate') && c.algorithm !== 'sft') {
    emit({ range: at('learning_rate')!, severity: 'warning', code: 'paper-lr',
      message: `learning_rate ${fmtNum(c.learning_rate)} is above 1e-5, where the SimPO paper (7B to 9B models) reports incoherent, repetitive output; its grid is 3e-7 to 1e-6 (${lrs})${c.algorithm === 'dpo' ? '; DPO: 3e-7 to 7e-7' : ''}`,
      data: { kind: 'value', key: 'learning_rate', value: 1e-6, title: 'Set learning_rate to 1e-6' } });
  }
  // keys that another key overrides
  const ignored = (key: string, because: string) => {
    const e = origin.get(key);
    if (e) emit({ range: e.keyRange, severity: 'information', code: 'overridden', message: `\`${e.key}\` is ignored: ${because}` });
  };
  if (c.dataset && c.dataset_mixer) ignored('dataset_mixer', '`dataset` is set and wins');
  if (c.warmup_steps > 0) ignored('warmup_ratio', `\`warmup_steps: ${c.warmup_steps}\` is set and wins`);
  if (c.max_steps > 0) ignored('num_train_epochs', `\`max_steps: ${c.max_steps}\` is set and wins`);
  if (c.device !== 'cpu' && origin.has('device')) {
    emit({ range: at('device')!, severity: 'warning', code: 'device',
      message: `\`device: ${c.device}\` needs an onnxruntime-node build with the ${c.device === 'cuda' ? 'CUDA' : 'WebGPU'} execution provider; the packaged engine runs on the CPU (device: cpu)`,
      data: { kind: 'value', key: 'device', value: 'cpu', title: 'Set device to cpu' } });
  }
  if (c.label_smoothing > 0 && c.loss_type === 'hinge') {
    emit({ range: at('label_smoothing')!, severity: 'warning', code: 'unused-for-algorithm', message: '`label_smoothing` applies to the sigmoid loss only; it is ignored with `loss_type: hinge`' });
  }
  if (c.eval_strategy !== 'no' && !c.eval_dataset && !(c.eval_split_ratio > 0) && !(c.dataset_mixer && c.dataset_splits.length > 1) && !(c.dataset && looksLikeHubId(c.dataset) && !/\.(jsonl|ndjson|json|parquet)$/i.test(c.dataset))) {
    emit({ range: at('eval_strategy') ?? keyAt('eval_strategy') ?? top, severity: 'warning', code: 'no-eval-data',
      message: `\`eval_strategy: ${c.eval_strategy}\` but there is no evaluation set: set \`eval_dataset\` or \`eval_split_ratio\` (e.g. 0.05)`,
      data: { kind: 'value', key: 'eval_split_ratio', value: 0.05, title: 'Hold out 5% for evaluation (eval_split_ratio: 0.05)' } });
  }
}
