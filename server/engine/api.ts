// The engine's public surface. The engine trains Llama-family decoders by running ONNX graphs (forward,
// reverse-mode backward and AdamW in one graph) on onnxruntime-node. It knows nothing of runs, configs
// files or VS Code: callers hand it tensors and numbers and get numbers back.

/** The fields of a Hugging Face config.json the engine reads (llama, mistral, qwen2). */
export interface LlamaConfig {
  model_type: 'llama' | 'mistral' | 'qwen2' | string;
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim?: number;
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
  tie_word_embeddings: boolean;
  attention_bias?: boolean;          // qwen2: q/k/v have biases
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  pad_token_id?: number | null;
  torch_dtype?: string;
  [key: string]: unknown;
}

export type DType = 'F32' | 'F16' | 'BF16';

/** A float32 tensor, row-major. */
export interface Tensor32 { shape: number[]; data: Float32Array }
/** Weights by Hugging Face name (model.embed_tokens.weight, model.layers.0.self_attn.q_proj.weight, ...). */
export type WeightMap = Map<string, Tensor32>;

export type LossSpec =
  | { kind: 'simpo'; beta: number; gammaBetaRatio: number; lossType: 'sigmoid' | 'hinge'; labelSmoothing: number; sftWeight: number }
  | { kind: 'dpo'; beta: number; labelSmoothing: number }
  | { kind: 'sft' };

export interface OptimSpec {
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** clip the global gradient norm to this (0 = no clipping); grad_norm is reported before clipping */
  maxGradNorm: number;
}

/**
 * One micro-batch. For preference losses rows = 2·pairs: rows [0, pairs) are the chosen responses and rows
 * [pairs, 2·pairs) the rejected ones, each with its prompt, all padded to one seqLen. For SFT rows = examples.
 * labels are aligned with inputIds (the engine shifts them by one, as the reference trainer does); -100 marks
 * prompt and padding positions, which never count.
 */
export interface Batch {
  rows: number;
  seqLen: number;
  inputIds: Int32Array;      // [rows, seqLen]
  attentionMask: Int32Array; // [rows, seqLen] 1 = token, 0 = padding
  labels: Int32Array;        // [rows, seqLen]
}

/** Metrics of one optimizer step (or one evaluation), named as the reference trainer logs them. */
export interface StepMetrics {
  loss: number;
  'rewards/chosen'?: number;
  'rewards/rejected'?: number;
  'rewards/margins'?: number;
  'rewards/accuracies'?: number;
  'logps/chosen'?: number;
  'logps/rejected'?: number;
  'logits/chosen'?: number;
  'logits/rejected'?: number;
  sft_loss?: number;
  grad_norm?: number;       // training only
  learning_rate?: number;   // training only
}

export type Provider = 'cpu' | 'cuda' | 'webgpu';

export interface TrainSessionOptions {
  config: LlamaConfig;
  weights: WeightMap;
  /** DPO's frozen reference model (run forward-only); defaults to a copy of `weights` */
  refWeights?: WeightMap;
  loss: LossSpec;
  optim: OptimSpec;
  gradientAccumulationSteps: number;
  provider?: Provider;
  /** intra-op threads; 0 = onnxruntime's default */
  threads?: number;
}

export interface OptimizerState { step: number; m: WeightMap; v: WeightMap }

export interface TrainSession {
  /**
   * Runs lrs.length optimizer steps. microBatches.length must be lrs.length × gradientAccumulationSteps, in
   * order; several steps may run in one session.run (ONNX Loop) when their batches share a shape.
   */
  train(microBatches: Batch[], lrs: number[]): Promise<StepMetrics[]>;
  /** Loss and metrics without updating anything. */
  evaluate(batch: Batch): Promise<StepMetrics>;
  /** Greedy decoding from each prompt (token ids) until eos or maxNewTokens. */
  generate(prompts: number[][], maxNewTokens: number, eosIds: number[]): Promise<number[][]>;
  /** Current parameters (copies). */
  weights(): WeightMap;
  optimizerState(): OptimizerState;
  setOptimizerState(state: OptimizerState): void;
  release(): Promise<void>;
}
