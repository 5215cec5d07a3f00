// safetensors and Hugging Face model folders: bit-exact round trips, sharded reads, and a clear error (naming the
// file and the tensor) for every kind of malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors, encodeSafetensors, readSafetensors, readSafetensorsDir, writeSafetensors, readSafetensorsHeader,
  toF16, fromF16, toBF16, fromBF16, roundTo,
} from '../../server/engine/safetensors';
import { loadModel, saveModel, initRandomModel, makeConfig, parseHfConfig, expectedShapes, Rng } from '../../server/engine/hf-model';
import type { WeightMap } from '../../server/engine/api';

const tmp = mkdtempSync(join(tmpdir(), 'simpo-st-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(tmp, `${n++}-${name}`);

/** A hand-built file: header JSON (string or object) + data bytes, with an optional explicit length prefix. */
function rawFile(header: unknown, data: Uint8Array, lenOverride?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lenOverride ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Values that exercise every rounding path: normals, subnormals, ties, overflow, signed zero, inf, NaN. */
function awkwardValues(): Float32Array {
  const rng = new Rng(7);
  const v: number[] = [0, -0, 1, -1, 65504, 65520, 1e6, -1e6, 6e-8, 3e-8, 2.98e-8, 1e-10, 5.96e-8, 6.1e-5, 1e-40,
    Infinity, -Infinity, NaN, 3.4e38, 1.00048828125 /* f16 tie */, 1.0000000596, 1.00390625 /* bf16 tie */];
  for (let i = 0; i < 2000; i++) v.push(rng.normal() * 10 ** (rng.int(12) - 6));
  return new Float32Array(v);
}

test('float16 conversion matches hand-computed values, with ties to even', () => {
  assert.equal(toF16(1), 0x3c00);
  assert.equal(toF16(-2), 0xc000);
  assert.equal(toF16(65504), 0x7bff);
  assert.equal(toF16(65520), 0x7c00); // halfway to the next binade: rounds to even → inf
  assert.equal(toF16(1 + 2 ** -11), 0x3c00); // tie → even (down)
  assert.equal(toF16(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
  assert.equal(toF16(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(toF16(2 ** -25), 0x0000); // exactly half of it: tie → even zero
  assert.equal(toF16(1.5 * 2 ** -25), 0x0001);
  assert.equal(toF16(-0), 0x8000);
  assert.equal(toF16(Infinity), 0x7c00);
  assert.ok(Number.isNaN(fromF16(toF16(NaN))));
  for (let h = 0; h < 65536; h++) {
    const x = fromF16(h);
    if (Number.isNaN(x)) continue;
    assert.equal(toF16(x), h, `f16 0x${h.toString(16)} does not survive f16 → f32 → f16`);
  }
});

test('bfloat16 conversion rounds to nearest even and round-trips every value', () => {
  assert.equal(toBF16(1), 0x3f80);
  assert.equal(toBF16(1 + 2 ** -8), 0x3f80); // tie → even
  assert.equal(toBF16(1 + 3 * 2 ** -8), 0x3f82);
  assert.equal(toBF16(3.4e38), 0x7f80); // rounds up to inf
  assert.ok(Number.isNaN(fromBF16(toBF16(NaN))));
  for (let b = 0; b < 65536; b++) {
    const x = fromBF16(b);
    if (Number.isNaN(x)) continue;
    assert.equal(toBF16(x), b);
  }
});

for (const dtype of ['F32', 'F16', 'BF16'] as const) {
  test(`${dtype}: file → load → save in the stored dtype is byte-identical`, () => {
    const vals = awkwardValues();
    const tensors: WeightMap = new Map([
      ['a.weight', { shape: [vals.length], data: vals }],
      ['b.weight', { shape: [3, 0], data: new Float32Array(0) }],
      ['c', { shape: [], data: new Float32Array([0.1]) }],
      ['d.weight', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
    ]);
    const first = fresh(`${dtype}.safetensors`);
    writeSafetensors(first, tensors, { dtype, metadata: { format: 'pt' } });
    const loaded = readSafetensors(first);
    assert.deepEqual(loaded.metadata, { format: 'pt' });
    assert.equal(loaded.dtypes.get('a.weight'), dtype);
    assert.deepEqual(loaded.tensors.get('b.weight')!.shape, [3, 0]);
    assert.deepEqual(loaded.tensors.get('c')!.shape, []);
    // values are the input rounded through dtype (F32: unchanged bits)
    const a = loaded.tensors.get('a.weight')!.data;
    const want = roundTo(vals, dtype);
    assert.deepEqual(new Uint32Array(a.buffer).filter((_, i) => !Number.isNaN(a[i])), new Uint32Array(want.buffer).filter((_, i) => !Number.isNaN(want[i])));
    const second = fresh(`${dtype}-again.safetensors`);
    writeSafetensors(second, loaded.tensors, { dtype, metadata: loaded.metadata });
    assert.ok(Buffer.from(readFileSync(first)).equals(readFileSync(second)), 'second save differs from the first');
    // in-memory codec agrees with the file codec
    assert.ok(Buffer.from(encodeSafetensors(loaded.tensors, { dtype, metadata: loaded.metadata })).equals(readFileSync(first)));
    // header: 8-byte aligned data section, as the reference writer produces
    const hdr = readSafetensorsHeader(first);
    assert.equal(hdr.dataStart % 8, 0);
  });
}

test('a file written by the reference layout (unpadded header, mixed dtypes, any key order) is read', () => {
  const data = new Uint8Array(4 + 2 + 2);
  new DataView(data.buffer).setFloat32(0, 1.5, true);
  new DataView(data.buffer).setUint16(4, toF16(-2), true);
  new DataView(data.buffer).setUint16(6, toBF16(3), true);
  const bytes = rawFile({ z: { dtype: 'BF16', shape: [1], data_offsets: [6, 8] }, y: { dtype: 'F16', shape: [1], data_offsets: [4, 6] }, x: { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] } }, data);
  const r = decodeSafetensors(bytes, 'x.safetensors');
  assert.deepEqual([...r.tensors.keys()], ['z', 'y', 'x']);
  assert.equal(r.tensors.get('x')!.data[0], 1.5);
  assert.equal(r.tensors.get('y')!.data[0], -2);
  assert.equal(r.tensors.get('z')!.data[0], 3);
  assert.equal(r.dtypes.get('y'), 'F16');
});

test('malformed files give an error naming the file and the tensor', () => {
  const four = new Uint8Array(8);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /empty\.safetensors: truncated: 0 bytes/],
    ['short', new Uint8Array(5), /short\.safetensors: truncated/],
    ['hdrlen', rawFile({}, four, 1000n), /hdrlen\.safetensors: header length 1000 runs past the end of the file/],
    ['hugelen', rawFile({}, four, 2n ** 63n), /hugelen\.safetensors: header length \d+ runs past the end/],
    ['json', rawFile('{"a": {"dtype": "F32",', four), /json\.safetensors: malformed JSON header/],
    ['notobj', rawFile('[1,2]', four), /notobj\.safetensors: the JSON header is not an object/],
    ['nodtype', rawFile({ w: { shape: [1], data_offsets: [0, 4] } }, four), /nodtype\.safetensors: tensor 'w': missing dtype/],
    ['unknown', rawFile({ w: { dtype: 'F31', shape: [1], data_offsets: [0, 4] } }, four), /unknown\.safetensors: tensor 'w': unknown dtype 'F31'/],
    ['i64', rawFile({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, four), /i64\.safetensors: tensor 'ids': dtype I64 is not supported/],
    ['shape', rawFile({ w: { dtype: 'F32', shape: [1, -2], data_offsets: [0, 4] } }, four), /shape\.safetensors: tensor 'w': shape must be an array of non-negative integers/],
    ['offs', rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, four), /offs\.safetensors: tensor 'w': data_offsets must be \[begin, end\]/],
    ['backwards', rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, four), /backwards\.safetensors: tensor 'w': data_offsets \[4, 0\]: begin is after end/],
    ['range', rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, four), /range\.safetensors: tensor 'w': data_offsets \[0, 16\] run past the data section \(8 bytes\)/],
    ['size', rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, four), /size\.safetensors: tensor 'w': shape \[3\] × F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/],
    ['overlap', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F16', shape: [2], data_offsets: [2, 6] } }, four), /overlap\.safetensors: tensor 'b': data_offsets \[2, 6\] overlap tensor 'a' \[0, 4\]/],
    ['meta', rawFile({ __metadata__: { format: 1 } }, four), /meta\.safetensors: __metadata__\.format must be a string/],
  ];
  for (const [name, bytes, re] of cases) {
    const path = join(tmp, `${name}.safetensors`);
    writeFileSync(path, bytes);
    assert.throws(() => readSafetensors(path), re, name);
    assert.throws(() => decodeSafetensors(bytes, `${name}.safetensors`), re, `${name} (in memory)`);
  }
  // a file cut short after its header
  const good = fresh('good.safetensors');
  writeSafetensors(good, new Map([['w', { shape: [64], data: new Float32Array(64) }]]));
  const cut = join(tmp, 'cut.safetensors');
  writeFileSync(cut, readFileSync(good).subarray(0, 100));
  assert.throws(() => readSafetensors(cut), /cut\.safetensors: tensor 'w': data_offsets \[0, 256\] run past the data section/);
  assert.throws(() => readSafetensors(join(tmp, 'missing.safetensors')), /missing\.safetensors: cannot open \(ENOENT\)/);
  assert.throws(() => writeSafetensors(fresh('bad'), new Map([['w', { shape: [2, 2], data: new Float32Array(3) }]])), /tensor 'w': shape \[2, 2\] has 4 elements but the data has 3/);
});

// ---------------------------------------------------------------------------------------------------------------
// Model folders

const tiny = () => makeConfig({ vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 });

test('config.json: transformers defaults, validation errors naming config.json and the field', () => {
  const c = parseHfConfig({ model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2 }, 'm/config.json');
  assert.equal(c.num_key_value_heads, 2);
  assert.equal(c.head_dim, 4);
  assert.equal(c.rope_theta, 10000);
  assert.equal(c.rms_norm_eps, 1e-6);
  assert.equal(c.tie_word_embeddings, false);
  assert.equal(c.attention_bias, false);
  assert.equal(c.max_position_embeddings, 2048);
  const q = parseHfConfig({ model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'], vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, tie_word_embeddings: true }, 'q/config.json');
  assert.equal(q.attention_bias, true);
  assert.equal(q.tie_word_embeddings, true);
  assert.equal(q.max_position_embeddings, 32768);
  assert.equal(parseHfConfig({ model_type: 'mistral', vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2, head_dim: 6 }).head_dim, 6);
  const base = { model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2 };
  assert.throws(() => parseHfConfig({ ...base, model_type: 'gpt2' }, 'x/config.json'), /x\/config\.json: model_type "gpt2" is not supported \(supported: llama, mistral, qwen2\)/);
  assert.throws(() => parseHfConfig({ ...base, architectures: ['LlamaForSequenceClassification'] }, 'x/config.json'), /x\/config\.json: architectures .* does not include LlamaForCausalLM/);
  assert.throws(() => parseHfConfig({ ...base, vocab_size: undefined }, 'x/config.json'), /x\/config\.json: required field "vocab_size" is missing/);
  assert.throws(() => parseHfConfig({ ...base, hidden_size: 8.5 }, 'x/config.json'), /"hidden_size" must be a positive integer, found 8.5/);
  assert.throws(() => parseHfConfig({ ...base, num_key_value_heads: 3, num_attention_heads: 4 }, 'x/config.json'), /num_attention_heads \(4\) must be a multiple of num_key_value_heads \(3\)/);
  assert.throws(() => parseHfConfig({ ...base, hidden_act: 'gelu' }, 'x/config.json'), /hidden_act "gelu" is not supported/);
  assert.throws(() => parseHfConfig({ ...base, tie_word_embeddings: 'yes' }, 'x/config.json'), /"tie_word_embeddings" must be true or false/);
  assert.equal(parseHfConfig({ ...base, rope_scaling: null }).rope_scaling, null);
  assert.deepEqual(parseHfConfig({ ...base, rope_scaling: { rope_type: 'default' } }).rope_scaling, { rope_type: 'default' });
  const l3 = { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 };
  assert.deepEqual(parseHfConfig({ ...base, rope_scaling: l3 }).rope_scaling, l3);
  assert.throws(() => parseHfConfig({ ...base, rope_scaling: { ...l3, high_freq_factor: undefined } }, 'x/config.json'), /x\/config\.json: rope_scaling\.high_freq_factor must be a positive number for rope type llama3/);
  assert.throws(() => parseHfConfig({ ...base, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'x/config.json'), /x\/config\.json: rope_scaling type 'yarn' is not supported by the built-in engine \(supported: default, linear, llama3\)/);
  assert.throws(() => parseHfConfig({ ...base, rope_scaling: { type: 'linear' } }, 'x/config.json'), /rope_scaling\.factor must be a positive number for rope type linear/);
  assert.throws(() => parseHfConfig({ ...base, rope_scaling: { rope_type: 'warp' } }, 'x/config.json'), /rope_scaling type "warp" is unknown/);
  assert.throws(() => parseHfConfig({ ...base, model_type: 'qwen2', use_sliding_window: true }, 'x/config.json'), /use_sliding_window: true .* is not supported/);
  assert.throws(() => parseHfConfig({ ...base, model_type: 'mistral', sliding_window: 0 }, 'x/config.json'), /"sliding_window" must be a positive integer or null, found 0/);
  assert.equal(parseHfConfig({ ...base, model_type: 'mistral', sliding_window: null }).sliding_window, null);
});

test('config.json of published checkpoints (Qwen2.5-0.5B-Instruct, SmolLM2-135M, Mistral-7B-v0.1) parse with their real values', () => {
  const qwen = parseHfConfig({
    architectures: ['Qwen2ForCausalLM'], attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151645, hidden_act: 'silu', hidden_size: 896,
    initializer_range: 0.02, intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 21, model_type: 'qwen2', num_attention_heads: 14,
    num_hidden_layers: 24, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true,
    torch_dtype: 'bfloat16', transformers_version: '4.43.1', use_cache: true, use_sliding_window: false, vocab_size: 151936,
  }, 'Qwen2.5-0.5B-Instruct/config.json');
  assert.equal(qwen.head_dim, 64);
  assert.equal(qwen.attention_bias, true);
  const shapes = expectedShapes(qwen);
  assert.deepEqual(shapes.get('model.layers.0.self_attn.k_proj.weight'), [128, 896]);
  assert.deepEqual(shapes.get('model.layers.0.self_attn.k_proj.bias'), [128]);
  assert.ok(!shapes.has('lm_head.weight'));
  assert.equal(shapes.size, 1 + 24 * 12 + 1);
  const smol = parseHfConfig({
    architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 0, eos_token_id: 0, hidden_act: 'silu',
    hidden_size: 576, initializer_range: 0.041666666666666664, intermediate_size: 1536, is_llama_config: true, max_position_embeddings: 8192,
    model_type: 'llama', num_attention_heads: 9, num_hidden_layers: 30, num_key_value_heads: 3, pretraining_tp: 1, rms_norm_eps: 1e-5,
    rope_interleaved: false, rope_scaling: null, rope_theta: 100000, tie_word_embeddings: true, torch_dtype: 'bfloat16', use_cache: true, vocab_size: 49152,
  }, 'SmolLM2-135M/config.json');
  assert.equal(smol.head_dim, 64);
  assert.equal(expectedShapes(smol).size, 1 + 30 * 9 + 1);
  assert.equal([...expectedShapes(smol).values()].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0), 134515008); // 135M
  const mistral = parseHfConfig({
    architectures: ['MistralForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02,
    intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral', num_attention_heads: 32, num_hidden_layers: 32,
    num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 10000.0, sliding_window: 4096, tie_word_embeddings: false, torch_dtype: 'bfloat16', vocab_size: 32000,
  }, 'Mistral-7B-v0.1/config.json');
  assert.equal([...expectedShapes(mistral).values()].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0), 7241732096);
});

test('saveModel → loadModel round-trips config and weights bit-exactly, in F32, F16 and BF16', () => {
  const src = fresh('src');
  mkdirSync(src);
  writeFileSync(join(src, 'tokenizer.json'), '{"fake": true}');
  writeFileSync(join(src, 'tokenizer_config.json'), '{}');
  const config = tiny();
  const weights = initRandomModel(config, 1);
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    const dir = fresh(`model-${dtype}`);
    saveModel(dir, config, weights, dtype, src);
    assert.ok(existsSync(join(dir, 'tokenizer.json')) && existsSync(join(dir, 'tokenizer_config.json')));
    assert.ok(!existsSync(join(dir, 'generation_config.json')));
    const m = loadModel(dir);
    assert.equal(m.dtype, dtype);
    assert.equal(m.config.torch_dtype, { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype]);
    assert.deepEqual({ ...m.config, torch_dtype: undefined }, { ...config, torch_dtype: undefined });
    assert.deepEqual([...m.weights.keys()].sort(), [...weights.keys()].sort());
    for (const [k, t] of weights) assert.deepEqual(m.weights.get(k)!.data, roundTo(t.data, dtype), k);
    const again = fresh(`model-${dtype}-again`);
    saveModel(again, m.config, m.weights, m.dtype);
    assert.ok(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(again, 'model.safetensors'))));
  }
});

test('initRandomModel: HF-style init, deterministic per seed, every expected tensor', () => {
  const config = tiny();
  const a = initRandomModel(config, 3), b = initRandomModel(config, 3), c = initRandomModel(config, 4);
  assert.deepEqual([...a.keys()], [...expectedShapes(config).keys()]);
  assert.ok(a.has('lm_head.weight'));
  assert.deepEqual(a.get('model.embed_tokens.weight')!.data, b.get('model.embed_tokens.weight')!.data);
  assert.notDeepEqual(a.get('model.embed_tokens.weight')!.data, c.get('model.embed_tokens.weight')!.data);
  assert.ok(a.get('model.norm.weight')!.data.every((x) => x === 1));
  const big = initRandomModel(makeConfig({ vocab_size: 512, hidden_size: 64, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2 }), 0);
  const e = big.get('model.embed_tokens.weight')!.data;
  const mean = e.reduce((s, x) => s + x, 0) / e.length;
  const std = Math.sqrt(e.reduce((s, x) => s + (x - mean) ** 2, 0) / e.length);
  assert.ok(Math.abs(mean) < 0.001 && Math.abs(std - 0.02) < 0.001, `mean ${mean} std ${std}`);
  const tied = makeConfig({ ...config, tie_word_embeddings: true, model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'] });
  const w = initRandomModel(tied, 0);
  assert.ok(!w.has('lm_head.weight'));
  assert.ok(w.get('model.layers.0.self_attn.q_proj.bias')!.data.every((x) => x === 0));
});

test('sharded checkpoints are read through model.safetensors.index.json', () => {
  const config = tiny();
  const weights = initRandomModel(config, 2);
  const dir = fresh('sharded');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const names = [...weights.keys()];
  const half = Math.ceil(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((ns, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensors(join(dir, file), new Map(ns.map((k) => [k, weights.get(k)!])), { dtype: i === 0 ? 'BF16' : 'F32' });
    for (const k of ns) weightMap[k] = file;
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  const m = loadModel(dir);
  assert.equal(m.dtype, 'BF16'); // the embedding's stored dtype
  for (const k of names) {
    const want = shards[0].includes(k) ? roundTo(weights.get(k)!.data, 'BF16') : weights.get(k)!.data;
    assert.deepEqual(m.weights.get(k)!.data, want, k);
  }
  // a tensor the index lists but its shard lacks
  const idx = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
  idx.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(idx));
  assert.throws(() => readSafetensorsDir(dir), /model-00001-of-00002\.safetensors: tensor 'model\.norm\.weight' is listed in model\.safetensors\.index\.json but not in this shard/);
  idx.weight_map['model.norm.weight'] = 'model-00003-of-00002.safetensors';
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(idx));
  assert.throws(() => readSafetensorsDir(dir), /index\.json: shard model-00003-of-00002\.safetensors .* does not exist/);
  writeFileSync(join(dir, 'model.safetensors.index.json'), '{"weight_map": ');
  assert.throws(() => readSafetensorsDir(dir), /model\.safetensors\.index\.json: malformed JSON/);
});

test('loadModel: missing or misshapen tensors name the file, the tensor and both shapes', () => {
  const config = tiny();
  const weights = initRandomModel(config, 5);
  const dir = fresh('bad-model');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const without = new Map(weights);
  without.delete('model.layers.1.mlp.up_proj.weight');
  writeSafetensors(join(dir, 'model.safetensors'), without);
  assert.throws(() => loadModel(dir), /bad-model\/model\.safetensors: tensor 'model\.layers\.1\.mlp\.up_proj\.weight' is missing \(expected shape \[24, 16\]/);
  const wrong = new Map(weights);
  wrong.set('model.layers.0.self_attn.k_proj.weight', { shape: [16, 16], data: new Float32Array(256) });
  writeSafetensors(join(dir, 'model.safetensors'), wrong);
  assert.throws(() => loadModel(dir), /tensor 'model\.layers\.0\.self_attn\.k_proj\.weight' has shape \[16, 16\], expected \[8, 16\]/);
  const extra = new Map(weights);
  extra.set('model.layers.0.mlp.up_proj.bias', { shape: [24], data: new Float32Array(24) });
  extra.set('model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [2], data: new Float32Array(2) });
  writeSafetensors(join(dir, 'model.safetensors'), extra);
  assert.throws(() => loadModel(dir), /unexpected tensor 'model\.layers\.0\.mlp\.up_proj\.bias'/);
  // tied model with an lm_head present: accepted, lm_head dropped
  const tiedCfg = { ...config, tie_word_embeddings: true };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(tiedCfg));
  writeSafetensors(join(dir, 'model.safetensors'), weights);
  assert.ok(!loadModel(dir).weights.has('lm_head.weight'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'bert' }));
  assert.throws(() => loadModel(dir), /bad-model\/config\.json: model_type "bert" is not supported/);
  writeFileSync(join(dir, 'config.json'), '{');
  assert.throws(() => loadModel(dir), /bad-model\/config\.json: malformed JSON/);
  assert.throws(() => loadModel(fresh('nothing')), /not a model folder \(no config\.json\)/);
});
