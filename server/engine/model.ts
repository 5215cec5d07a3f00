// The Llama-family decoder (llama, mistral, qwen2) as graph ops: embedding Gather, RMSNorm, rotary embeddings
// (HF rotate_half convention, positions 0..S-1), grouped-query attention with an additive causal + padding
// bias, SwiGLU MLP, final norm and a tied or untied lm_head. Linear weights are [out, in] (Gemm transB=1).
import type { LlamaConfig } from './api';
import type { Builder } from './builder';
import type { Value } from './graph';
import { ropeInverseFrequencies } from './hf-model';

export const SUPPORTED_ARCHS = ['llama', 'mistral', 'qwen2'];

export function headDimOf(c: LlamaConfig): number { return c.head_dim ?? c.hidden_size / c.num_attention_heads; }
export function hasQkvBias(c: LlamaConfig): boolean { return c.model_type === 'qwen2' || c.attention_bias === true; }

/** Throws a clear error for configurations the engine cannot run. */
export function checkConfig(c: LlamaConfig): void {
  if (!SUPPORTED_ARCHS.includes(c.model_type)) {
    throw new Error(`unsupported model_type '${c.model_type}': the built-in engine runs ${SUPPORTED_ARCHS.join(', ')}`);
  }
  if (c.model_type === 'qwen2' && c.use_sliding_window === true) throw new Error(`qwen2 with use_sliding_window: true is not supported by the built-in engine`);
  const hd = headDimOf(c);
  if (!Number.isInteger(hd) || hd % 2) throw new Error(`head_dim ${hd} must be an even integer (hidden_size ${c.hidden_size}, num_attention_heads ${c.num_attention_heads})`);
  try { ropeInverseFrequencies(c); } catch {
    const r = c.rope_scaling as Record<string, unknown>;
    throw new Error(`rope_scaling type '${String(r.rope_type ?? r.type)}' is not supported by the built-in engine (supported: default, linear, llama3)`);
  }
  if (c.num_attention_heads % c.num_key_value_heads) throw new Error(`num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${c.num_key_value_heads}`);
}

/** The parameter names and shapes the graph takes, in a fixed order. */
export function paramSpecs(c: LlamaConfig): { name: string; shape: number[] }[] {
  const H = c.hidden_size, I = c.intermediate_size, hd = headDimOf(c), nh = c.num_attention_heads, nkv = c.num_key_value_heads;
  const out = [{ name: 'model.embed_tokens.weight', shape: [c.vocab_size, H] }];
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    out.push({ name: p + 'input_layernorm.weight', shape: [H] });
    out.push({ name: p + 'self_attn.q_proj.weight', shape: [nh * hd, H] });
    out.push({ name: p + 'self_attn.k_proj.weight', shape: [nkv * hd, H] });
    out.push({ name: p + 'self_attn.v_proj.weight', shape: [nkv * hd, H] });
    if (hasQkvBias(c)) {
      out.push({ name: p + 'self_attn.q_proj.bias', shape: [nh * hd] });
      out.push({ name: p + 'self_attn.k_proj.bias', shape: [nkv * hd] });
      out.push({ name: p + 'self_attn.v_proj.bias', shape: [nkv * hd] });
    }
    out.push({ name: p + 'self_attn.o_proj.weight', shape: [H, nh * hd] });
    out.push({ name: p + 'post_attention_layernorm.weight', shape: [H] });
    out.push({ name: p + 'mlp.gate_proj.weight', shape: [I, H] });
    out.push({ name: p + 'mlp.up_proj.weight', shape: [I, H] });
    out.push({ name: p + 'mlp.down_proj.weight', shape: [H, I] });
  }
  out.push({ name: 'model.norm.weight', shape: [H] });
  if (!c.tie_word_embeddings) out.push({ name: 'lm_head.weight', shape: [c.vocab_size, H] });
  return out;
}

/**
 * cos and sin tables [S, hd] for positions 0..S-1 (as HF: inv_freq in float64 with rope_scaling 'linear' or
 * 'llama3' applied by hf-model's ropeInverseFrequencies, emb = cat(freqs, freqs)).
 */
export function ropeTables(c: LlamaConfig, S: number): { cos: Float64Array; sin: Float64Array } {
  const hd = headDimOf(c), half = hd / 2, inv = ropeInverseFrequencies(c);
  const cos = new Float64Array(S * hd), sin = new Float64Array(S * hd);
  for (let p = 0; p < S; p++) for (let i = 0; i < half; i++) {
    const f = p * inv[i];
    cos[p * hd + i] = cos[p * hd + i + half] = Math.cos(f);
    sin[p * hd + i] = sin[p * hd + i + half] = Math.sin(f);
  }
  return { cos, sin };
}

/** Mistral's sliding attention window (a query sees the last `window` positions), or Infinity. */
export function slidingWindow(c: LlamaConfig): number {
  const w = Number(c.sliding_window);
  if (c.model_type === 'mistral' && Number.isInteger(w) && w > 0) return w;
  return Infinity;
}

const NEG = -1e9;

/** The key-padding bias [R, S]: 0 for tokens, a large negative number for padding. */
export function keyBias(mask: Int32Array, T: 'float32' | 'float64'): Float32Array | Float64Array {
  const out = T === 'float32' ? new Float32Array(mask.length) : new Float64Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 0 : NEG;
  return out;
}

/** The causal bias [S, S]: 0 where query t may see key s (s <= t and t − s < window), else a large negative number. */
export function causalBias(S: number, window = Infinity): Float64Array {
  const out = new Float64Array(S * S);
  for (let t = 0; t < S; t++) for (let s = 0; s < S; s++) out[t * S + s] = s <= t && t - s < window ? 0 : NEG;
  return out;
}

/** Logits [R·S, V] of the decoder for token ids [R, S] (int64) and the key-padding bias [R, S]. */
export function decoderLogits(b: Builder, c: LlamaConfig, P: Map<string, Value>, ids: Value, kbias: Value): Value {
  return lmHead(b, c, P, decoderHidden(b, c, P, ids, kbias));
}

/** Logits [n, V] of final hidden states [n, H]: the tied embedding or lm_head. */
export function lmHead(b: Builder, c: LlamaConfig, P: Map<string, Value>, x: Value): Value {
  const head = P.get(c.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight')!;
  return b.gemm(x, head, 0, 1);
}

/** The final (normed) hidden states [R·S, H] of the decoder. */
export function decoderHidden(b: Builder, c: LlamaConfig, P: Map<string, Value>, ids: Value, kbias: Value): Value {
  const [R, S] = ids.shape, N = R * S;
  const H = c.hidden_size, hd = headDimOf(c), nh = c.num_attention_heads, nkv = c.num_key_value_heads, g = nh / nkv;
  const eps = c.rms_norm_eps;
  const p = (n: string) => { const v = P.get(n); if (!v) throw new Error(`missing parameter ${n}`); return v; };
  const { cos, sin } = ropeTables(c, S);
  const cosV = b.const(b.T, [S, hd], cos), sinV = b.const(b.T, [S, hd], sin);
  const rot = new Float64Array(hd * hd), half = hd / 2;
  for (let j = 0; j < half; j++) { rot[(j + half) * hd + j] = -1; rot[j * hd + j + half] = 1; }
  const rotV = b.const(b.T, [hd, hd], rot);
  const rope = (x: Value) => b.add(b.mul(x, cosV), b.mul(b.matmul(x, rotV), sinV));
  const linear = (x: Value, name: string) => {
    const y = b.gemm(x, p(name + '.weight'), 0, 1);
    return P.has(name + '.bias') ? b.add(y, p(name + '.bias')) : y;
  };
  /** several projections of one input as one Gemm on the concatenated weights, split after */
  const fusedLinear = (x: Value, names: string[]) => {
    if (names.length === 1) return [linear(x, names[0])];
    const W = b.concat(names.map((n) => p(n + '.weight')), 0);
    let y = b.gemm(x, W, 0, 1);
    if (P.has(names[0] + '.bias')) y = b.add(y, b.concat(names.map((n) => p(n + '.bias')), 0));
    return b.split(y, 1, names.map((n) => p(n + '.weight').shape[0]));
  };
  const scale = b.scalar(1 / Math.sqrt(hd));
  // the additive attention bias [R, 1, 1, S, S]: causal (and sliding window) plus key padding
  // (Min, not Add: a query that sees no key then attends uniformly to all, exactly as a masked_fill(min) does)
  const bias = b.emit('Min', [b.reshape(kbias, [R, 1, 1, 1, S]), b.const(b.T, [S, S], causalBias(S, slidingWindow(c)))], [R, 1, 1, S, S], b.T, {}, [], undefined, false);

  let x = b.reshape(b.gather(p('model.embed_tokens.weight'), ids), [N, H]);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const pre = `model.layers.${l}.`;
    const h = b.rmsNorm(x, p(pre + 'input_layernorm.weight'), eps);
    const heads = (y: Value, n: number) => b.transpose(b.reshape(y, [R, S, n, hd]), [0, 2, 1, 3]);
    const [qp, kp, vp] = fusedLinear(h, ['q_proj', 'k_proj', 'v_proj'].map((n) => pre + 'self_attn.' + n));
    const q = rope(heads(b.mul(qp, scale), nh));
    const k = rope(heads(kp, nkv));
    const v = heads(vp, nkv);
    // grouped-query attention without repeating k/v: query heads of one kv head are stacked along the rows
    const qg = b.reshape(q, [R, nkv, g * S, hd]);
    const scores = b.reshape(b.matmul(qg, b.transpose(k, [0, 1, 3, 2])), [R, nkv, g, S, S]);
    const att = b.reshape(b.softmax(b.add(scores, bias)), [R, nkv, g * S, S]);
    const o = b.reshape(b.transpose(b.reshape(b.matmul(att, v), [R, nh, S, hd]), [0, 2, 1, 3]), [N, nh * hd]);
    x = b.add(x, linear(o, pre + 'self_attn.o_proj'));
    const h2 = b.rmsNorm(x, p(pre + 'post_attention_layernorm.weight'), eps);
    const [gate, up] = fusedLinear(h2, [pre + 'mlp.gate_proj', pre + 'mlp.up_proj']);
    const act = b.mul(b.silu(gate), up);
    x = b.add(x, linear(act, pre + 'mlp.down_proj'));
  }
  return b.rmsNorm(x, p('model.norm.weight'), eps);
}
