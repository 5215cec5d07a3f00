// The typed messages between the trainer (main thread: files, signals, progress) and its worker thread, which
// hosts the engine's TrainSession (session.run blocks the thread it runs on).
import type { Batch, DType, LossSpec, OptimSpec, Provider, StepMetrics } from '../engine/api';

export interface InitRequest {
  kind: 'init';
  /** model folder the policy starts from (the input model, or a checkpoint when resuming) */
  modelDir: string;
  /** DPO: the frozen reference's folder (default: modelDir's weights) */
  refModelDir?: string;
  /** optimizer.safetensors of a checkpoint to continue from */
  optimizerFile?: string;
  optimizerStep?: number;
  loss: LossSpec;
  optim: OptimSpec;
  gradientAccumulationSteps: number;
  provider: Provider;
  threads: number;
}

export type Request =
  | InitRequest
  | { kind: 'train'; batches: Batch[]; lrs: number[] }
  | { kind: 'evaluate'; batches: Batch[] }
  | { kind: 'generate'; prompts: number[][]; maxNewTokens: number; eosIds: number[] }
  /** writes config.json + model.safetensors (in dtype) + tokenizer files, and optimizer.safetensors when asked */
  | { kind: 'save'; dir: string; dtype?: DType; tokenizerFrom?: string; optimizer: boolean }
  | { kind: 'release' };

export interface InitResult { dtype: DType; vocabSize: number; params: number; modelType: string }

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

export interface RequestEnvelope { id: number; req: Request }

export type ResultOf<R extends Request['kind']> =
  R extends 'init' ? InitResult :
  R extends 'train' ? StepMetrics[] :
  R extends 'evaluate' ? StepMetrics[] :
  R extends 'generate' ? number[][] :
  R extends 'save' ? { optimizerStep: number } :
  void;
