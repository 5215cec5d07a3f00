// Hugging Face model folders for Llama-family decoders (llama, mistral, qwen2): config.json with the defaults
// transformers applies, weights from model.safetensors (or shards), every expected tensor checked by name and
// shape; saving in the same format, so a run's output folder can be the next run's input. Also a seeded random
// initialisation matching transformers' _init_weights (normal(0, initializer_range), norms 1, biases 0).

import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DType, LlamaConfig, Tensor32, WeightMap } from './api';
import { readSafetensorsDir, writeSafetensors, type ReadableDType } from './safetensors';

export interface LoadedModel {
  config: LlamaConfig;
  weights: WeightMap;
  /** The dtype the weights were stored in (the embedding's; F64 files report F32). */
  dtype: DType;
}

interface ArchDefaults { architecture: string; max_position_embeddings: number; rms_norm_eps: number; attention_bias: boolean }
/** Per model_type: its transformers class and the defaults its config class applies (transformers 4.4x). */
const ARCHS: Record<string, ArchDefaults> = {
  llama: { architecture: 'LlamaForCausalLM', max_position_embeddings: 2048, rms_norm_eps: 1e-6, attention_bias: false },
  mistral: { architecture: 'MistralForCausalLM', max_position_embeddings: 4096 * 32, rms_norm_eps: 1e-6, attention_bias: false },
  qwen2: { architecture: 'Qwen2ForCausalLM', max_position_embeddings: 32768, rms_norm_eps: 1e-6, attention_bias: true },
};
export const SUPPORTED_MODEL_TYPES = Object.keys(ARCHS);

/** Files copied beside the weights when a model is saved from a source folder. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'];

const TORCH_DTYPE: Record<DType, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/**
 * Validates a parsed config.json and fills the defaults transformers applies. Unknown keys are kept (so a save
 * writes them back). `file` names the source in error messages.
 */
export function parseHfConfig(raw: unknown, file = 'config.json'): LlamaConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: must be a JSON object`);
  const c = { ...(raw as Record<string, unknown>) };
  const mt = c.model_type;
  if (typeof mt !== 'string' || !(mt in ARCHS)) {
    throw new Error(`${file}: model_type ${JSON.stringify(mt)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`);
  }
  const arch = ARCHS[mt];
  if (c.architectures !== undefined) {
    if (!Array.isArray(c.architectures) || !c.architectures.includes(arch.architecture)) {
      throw new Error(`${file}: architectures ${JSON.stringify(c.architectures)} does not include ${arch.architecture} (model_type ${mt}); only causal LM checkpoints can be trained`);
    }
  }
  const posInt = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (v === undefined) throw new Error(`${file}: required field "${key}" is missing`);
    if (!Number.isSafeInteger(v) || (v as number) <= 0) throw new Error(`${file}: "${key}" must be a positive integer, found ${JSON.stringify(v)}`);
    return v as number;
  };
  const posNum = (key: string, fallback: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${file}: "${key}" must be a positive number, found ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'boolean') throw new Error(`${file}: "${key}" must be true or false, found ${JSON.stringify(v)}`);
    return v;
  };
  const vocab = posInt('vocab_size');
  const hidden = posInt('hidden_size');
  const inter = posInt('intermediate_size');
  const layers = posInt('num_hidden_layers');
  const heads = posInt('num_attention_heads');
  const kvHeads = posInt('num_key_value_heads', heads);
  if (heads % kvHeads !== 0) throw new Error(`${file}: num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kvHeads})`);
  if (c.head_dim === undefined || c.head_dim === null) {
    if (hidden % heads !== 0) throw new Error(`${file}: hidden_size (${hidden}) must be divisible by num_attention_heads (${heads}) when head_dim is not given`);
  }
  const headDim = posInt('head_dim', hidden / heads);
  if (headDim % 2 !== 0) throw new Error(`${file}: head_dim (${headDim}) must be even for rotary embeddings`);
  const act = c.hidden_act ?? 'silu';
  if (act !== 'silu') throw new Error(`${file}: hidden_act ${JSON.stringify(act)} is not supported (only "silu")`);
  if (c.mlp_bias === true) throw new Error(`${file}: mlp_bias: true is not supported`);
  // qwen2 always has q/k/v biases (its config has no attention_bias key); llama and mistral read attention_bias.
  const attentionBias = mt === 'qwen2' ? true : bool('attention_bias', arch.attention_bias);
  const ropeScaling = checkRopeScaling(c.rope_scaling, file);
  if (mt === 'mistral' && c.sliding_window !== undefined && c.sliding_window !== null && (!Number.isSafeInteger(c.sliding_window) || (c.sliding_window as number) <= 0)) {
    throw new Error(`${file}: "sliding_window" must be a positive integer or null, found ${JSON.stringify(c.sliding_window)}`);
  }
  // qwen2 applies its sliding window only when use_sliding_window is true, to layers from max_window_layers on;
  // the engine has no such per-layer window, so such checkpoints are refused rather than trained differently.
  if (mt === 'qwen2' && c.use_sliding_window === true) {
    throw new Error(`${file}: use_sliding_window: true (qwen2's per-layer sliding window) is not supported by the built-in engine`);
  }
  const config: LlamaConfig = {
    ...c,
    model_type: mt,
    architectures: [arch.architecture],
    vocab_size: vocab,
    hidden_size: hidden,
    intermediate_size: inter,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    hidden_act: 'silu',
    rms_norm_eps: posNum('rms_norm_eps', arch.rms_norm_eps),
    rope_theta: posNum('rope_theta', 10000),
    max_position_embeddings: posInt('max_position_embeddings', arch.max_position_embeddings),
    tie_word_embeddings: bool('tie_word_embeddings', false),
    attention_bias: attentionBias,
    initializer_range: posNum('initializer_range', 0.02),
    rope_scaling: ropeScaling,
  };
  for (const k of ['bos_token_id', 'pad_token_id'] as const) {
    const v = c[k];
    if (v !== undefined && v !== null && (!Number.isSafeInteger(v) || (v as number) < 0)) {
      throw new Error(`${file}: "${k}" must be a token id or null, found ${JSON.stringify(v)}`);
    }
  }
  const eos = c.eos_token_id;
  if (eos !== undefined && eos !== null) {
    const ids = Array.isArray(eos) ? eos : [eos];
    if (!ids.every((v) => Number.isSafeInteger(v) && v >= 0)) throw new Error(`${file}: "eos_token_id" must be a token id or a list of ids, found ${JSON.stringify(eos)}`);
  }
  return config;
}

/** rope_scaling types the engine applies (its RoPE tables come from ropeInverseFrequencies below). */
export const ENGINE_ROPE_TYPES = new Set(['default', 'linear', 'llama3']);
const KNOWN_ROPE_TYPES = new Set(['default', 'linear', 'llama3', 'dynamic', 'yarn', 'longrope', 'su', 'mrope']);

function checkRopeScaling(v: unknown, file: string): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}: "rope_scaling" must be an object or null, found ${JSON.stringify(v)}`);
  const r = v as Record<string, unknown>;
  const type = r.rope_type ?? r.type ?? 'default';
  if (typeof type !== 'string' || !KNOWN_ROPE_TYPES.has(type)) throw new Error(`${file}: rope_scaling type ${JSON.stringify(type)} is unknown`);
  const num = (k: string) => {
    if (typeof r[k] !== 'number' || !Number.isFinite(r[k]) || (r[k] as number) <= 0) throw new Error(`${file}: rope_scaling.${k} must be a positive number for rope type ${type}, found ${JSON.stringify(r[k])}`);
  };
  if (type === 'linear' || type === 'llama3') num('factor');
  if (type === 'llama3') { num('low_freq_factor'); num('high_freq_factor'); num('original_max_position_embeddings'); }
  if (!ENGINE_ROPE_TYPES.has(type)) {
    throw new Error(`${file}: rope_scaling type '${type}' is not supported by the built-in engine (supported: ${[...ENGINE_ROPE_TYPES].join(', ')})`);
  }
  return r;
}

/**
 * RoPE inverse frequencies [head_dim / 2] as transformers computes them (float64 here): default
 * 1 / theta^(2i/d); 'linear' divides by factor; 'llama3' divides low frequencies by factor and blends the middle
 * band (transformers' _compute_llama3_parameters).
 */
export function ropeInverseFrequencies(config: LlamaConfig): Float64Array {
  const hd = headDim(config);
  const theta = config.rope_theta ?? 10000;
  const inv = new Float64Array(hd / 2);
  for (let i = 0; i < hd / 2; i++) inv[i] = 1 / theta ** ((2 * i) / hd);
  const r = config.rope_scaling as Record<string, number | string> | null | undefined;
  const type = r ? (r.rope_type ?? r.type ?? 'default') : 'default';
  if (type === 'linear') for (let i = 0; i < inv.length; i++) inv[i] /= r!.factor as number;
  if (type === 'llama3') {
    const factor = r!.factor as number, lo = r!.low_freq_factor as number, hi = r!.high_freq_factor as number;
    const old = r!.original_max_position_embeddings as number;
    const loWave = old / lo, hiWave = old / hi;
    for (let i = 0; i < inv.length; i++) {
      const wave = (2 * Math.PI) / inv[i];
      if (wave > loWave) inv[i] /= factor;
      else if (wave >= hiWave) {
        const smooth = (old / wave - lo) / (hi - lo);
        inv[i] = (1 - smooth) * (inv[i] / factor) + smooth * inv[i];
      }
    }
  } else if (type !== 'default' && type !== 'linear') {
    throw new Error(`ropeInverseFrequencies: rope type '${type}' is not implemented`);
  }
  return inv;
}

/** Builds a full config from the few sizes a test or benchmark cares about. */
export function makeConfig(p: Partial<LlamaConfig> & Pick<LlamaConfig, 'vocab_size' | 'hidden_size' | 'intermediate_size' | 'num_hidden_layers' | 'num_attention_heads'>): LlamaConfig {
  return parseHfConfig({ model_type: 'llama', rms_norm_eps: 1e-5, max_position_embeddings: 2048, ...p }, '<makeConfig>');
}

export function headDim(config: LlamaConfig): number {
  return config.head_dim ?? config.hidden_size / config.num_attention_heads;
}

/** Every tensor the model needs, by Hugging Face name, with its shape (lm_head only when not tied). */
export function expectedShapes(config: LlamaConfig): Map<string, number[]> {
  const H = config.hidden_size, V = config.vocab_size, I = config.intermediate_size;
  const hd = headDim(config);
  const q = config.num_attention_heads * hd, kv = config.num_key_value_heads * hd;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [V, H]);
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    m.set(`${p}input_layernorm.weight`, [H]);
    m.set(`${p}self_attn.q_proj.weight`, [q, H]);
    m.set(`${p}self_attn.k_proj.weight`, [kv, H]);
    m.set(`${p}self_attn.v_proj.weight`, [kv, H]);
    if (config.attention_bias) {
      m.set(`${p}self_attn.q_proj.bias`, [q]);
      m.set(`${p}self_attn.k_proj.bias`, [kv]);
      m.set(`${p}self_attn.v_proj.bias`, [kv]);
    }
    m.set(`${p}self_attn.o_proj.weight`, [H, q]);
    m.set(`${p}post_attention_layernorm.weight`, [H]);
    m.set(`${p}mlp.gate_proj.weight`, [I, H]);
    m.set(`${p}mlp.up_proj.weight`, [I, H]);
    m.set(`${p}mlp.down_proj.weight`, [H, I]);
  }
  m.set('model.norm.weight', [H]);
  if (!config.tie_word_embeddings) m.set('lm_head.weight', [V, H]);
  return m;
}

/** Tensors found in real checkpoints that carry no parameters (recomputed buffers); dropped on load. */
const IGNORED = /(^|\.)rotary_emb\.inv_freq$/;

/**
 * Checks `weights` against the config: every expected tensor present with its shape; no unexpected tensors.
 * Returns a map holding exactly the expected tensors (a tied lm_head and rotary buffers are dropped).
 */
export function checkWeights(config: LlamaConfig, weights: WeightMap, source: string): WeightMap {
  const want = expectedShapes(config);
  const out: WeightMap = new Map();
  for (const [name, shape] of want) {
    const t = weights.get(name);
    if (!t) throw new Error(`${source}: tensor '${name}' is missing (expected shape [${shape.join(', ')}] from config.json)`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${source}: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] from config.json`);
    }
    out.set(name, t);
  }
  for (const name of weights.keys()) {
    if (want.has(name) || IGNORED.test(name)) continue;
    if (name === 'lm_head.weight' && config.tie_word_embeddings) continue;
    throw new Error(`${source}: unexpected tensor '${name}' for model_type ${config.model_type} (is config.json the one for these weights?)`);
  }
  return out;
}

/** Reads config.json and the weights of a Hugging Face model folder, validating both. */
export function loadModel(dir: string): LoadedModel {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new Error(`${dir}: not a model folder (no config.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(cfgPath, 'utf8'));
  } catch (e) {
    throw new Error(`${cfgPath}: malformed JSON (${(e as Error).message})`);
  }
  const config = parseHfConfig(raw, cfgPath);
  const st = readSafetensorsDir(dir);
  const source = st.files.length === 1 ? st.files[0] : join(dir, 'model.safetensors.index.json');
  const weights = checkWeights(config, st.tensors, source);
  const stored: ReadableDType = st.dtypes.get('model.embed_tokens.weight') ?? 'F32';
  return { config, weights, dtype: stored === 'F64' ? 'F32' : stored };
}

/**
 * Writes config.json and model.safetensors into `dir` (created if needed), in `dtype`. A tied lm_head is not
 * written. When `tokenizerFrom` names a folder, the tokenizer and generation files present there are copied.
 */
export function saveModel(dir: string, config: LlamaConfig, weights: WeightMap, dtype: DType, tokenizerFrom?: string): void {
  mkdirSync(dir, { recursive: true });
  const checked = checkWeights(config, weights, `saveModel(${dir})`);
  writeSafetensors(join(dir, 'model.safetensors'), checked, { dtype, metadata: { format: 'pt' } });
  const out = { ...config, torch_dtype: TORCH_DTYPE[dtype] };
  const cfgPath = join(dir, 'config.json');
  writeFileSync(`${cfgPath}.tmp`, JSON.stringify(out, null, 2) + '\n');
  renameSync(`${cfgPath}.tmp`, cfgPath);
  if (tokenizerFrom) {
    for (const f of TOKENIZER_FILES) {
      const src = join(tokenizerFrom, f);
      if (existsSync(src)) copyFileSync(src, join(dir, f));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Random initialisation

/** A small seeded generator (xoshiro128**), with standard normals by Box–Muller. */
export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;
  constructor(seed: number) {
    // splitmix32 to spread the seed over the state
    this.s = new Uint32Array(4);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }
  /** Uniform in [0, 1). */
  next(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  int(n: number): number { return Math.floor(this.next() * n); }
}
function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/**
 * Random weights as transformers initialises a fresh model: every Linear and the embedding normal(0, std) with
 * std = config.initializer_range (0.02), biases 0, RMSNorm weights 1. Deterministic for a seed.
 */
export function initRandomModel(config: LlamaConfig, seed: number): WeightMap {
  const std = typeof config.initializer_range === 'number' ? config.initializer_range : 0.02;
  const rng = new Rng(seed);
  const weights: WeightMap = new Map();
  for (const [name, shape] of expectedShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name.endsWith('norm.weight')) data.fill(1);
    else if (!name.endsWith('.bias')) for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    weights.set(name, { shape: [...shape], data } satisfies Tensor32);
  }
  return weights;
}

/** Deep copy of a weight map. */
export function cloneWeights(w: WeightMap): WeightMap {
  const out: WeightMap = new Map();
  for (const [k, t] of w) out.set(k, { shape: [...t.shape], data: t.data.slice() });
  return out;
}
