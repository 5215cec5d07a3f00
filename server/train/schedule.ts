// Learning-rate schedules and step counts exactly as Hugging Face transformers computes them
// (get_scheduler + TrainingArguments.get_warmup_steps + Trainer's max_steps from epochs).
import type { Scheduler } from '../config/types';

/** Warmup steps: warmup_steps when > 0, else ceil(warmup_ratio · total) (TrainingArguments.get_warmup_steps). */
export function warmupStepsFor(totalSteps: number, warmupSteps: number, warmupRatio: number): number {
  return warmupSteps > 0 ? warmupSteps : Math.ceil(totalSteps * warmupRatio);
}

/**
 * The multiplier of the base learning rate at scheduler step `step` (0-based: the first optimizer step uses
 * step 0), as transformers' LambdaLR schedules: linear, cosine (half a cycle), constant, constant_with_warmup.
 */
export function lrLambda(kind: Scheduler, step: number, totalSteps: number, warmup: number): number {
  if (kind === 'constant') return 1;
  if (step < warmup) return step / Math.max(1, warmup);
  switch (kind) {
    case 'constant_with_warmup':
      return 1;
    case 'linear':
      return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmup));
    case 'cosine': {
      const progress = (step - warmup) / Math.max(1, totalSteps - warmup);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 2 * 0.5 * progress)));
    }
    default:
      throw new Error(`unknown lr_scheduler_type "${String(kind)}"`);
  }
}

export interface StepPlan {
  /** optimizer steps per epoch: floor(micro-batches / gradient_accumulation_steps), at least 1 */
  stepsPerEpoch: number;
  totalSteps: number;
  warmup: number;
}

/**
 * Trainer's arithmetic: max_steps > 0 wins; otherwise ceil(num_train_epochs · steps per epoch). Micro-batches left
 * over at the end of an epoch (fewer than gradient_accumulation_steps) are not trained on.
 */
export function planSteps(o: { batchesPerEpoch: number; gradientAccumulationSteps: number; numTrainEpochs: number; maxSteps: number; warmupSteps: number; warmupRatio: number }): StepPlan {
  const stepsPerEpoch = Math.max(1, Math.floor(o.batchesPerEpoch / o.gradientAccumulationSteps));
  const totalSteps = o.maxSteps > 0 ? o.maxSteps : Math.max(1, Math.ceil(o.numTrainEpochs * stepsPerEpoch));
  return { stepsPerEpoch, totalSteps, warmup: warmupStepsFor(totalSteps, o.warmupSteps, o.warmupRatio) };
}
