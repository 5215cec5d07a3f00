// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
// N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}), then the
// raw little-endian tensor bytes, offsets relative to the end of the header. F32, F16 and BF16 (and F64) tensors
// are read into Float32Array (an exact upcast for the half types) and written back in a requested dtype with
// round-to-nearest-even, so load → save in the stored dtype reproduces the bytes exactly.
// Sharded checkpoints (model.safetensors.index.json with a weight_map) are read shard by shard.
//
// Every malformed input gives an Error whose message names the file (and the tensor, where there is one).

import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeSync, unlinkSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, join } from 'node:path';
import type { DType, Tensor32, WeightMap } from './api';

/** Dtypes read into Float32Array. F64 is narrowed (rounded) to float32; the others are exact. */
export type ReadableDType = DType | 'F64';
const BYTES: Record<ReadableDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };
/** Every dtype name the format defines; those outside BYTES are recognised but not loadable as weights. */
const KNOWN_DTYPES = new Set(['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
  'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64']);
/** The reference implementation refuses headers above 100 MB; so do we (a corrupt length would else allocate GBs). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry { name: string; dtype: ReadableDType; shape: number[]; begin: number; end: number }
export interface SafetensorsHeader {
  /** Tensors in header order. */
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}
export interface SafetensorsContents {
  tensors: WeightMap;
  /** The stored dtype of each tensor. */
  dtypes: Map<string, ReadableDType>;
  metadata: Record<string, string>;
}

function fail(file: string, msg: string, tensor?: string): never {
  throw new Error(`${file}: ${tensor !== undefined ? `tensor '${tensor}': ` : ''}${msg}`);
}

function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') throw new Error('safetensors: big-endian hosts are not supported');
}

// ---------------------------------------------------------------------------------------------------------------
// Float conversions (bit-exact; round to nearest, ties to even)

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

let f16Table: Float32Array | undefined;
/** All 65,536 float16 values as float32 (exact). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  const bits = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) {
      t[h] = (sign ? -1 : 1) * mant * 2 ** -24; // zero and subnormals
    } else if (exp === 0x1f) {
      bits[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf, NaN (payload kept)
    } else {
      bits[h] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    }
  }
  return (f16Table = t);
}

/** float32 bits → float16 bits, round to nearest even; overflow → ±inf; NaN stays NaN (quiet). */
export function f32BitsToF16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rem > half || (rem === half && (m & 1))) m++;
    return sign | m; // a carry into the exponent field gives the smallest normal: still correct
  }
  const rem = mant & 0x1fff;
  let out = sign | (e << 10) | (mant >>> 13);
  if (rem > 0x1000 || (rem === 0x1000 && (out & 1))) out++; // a carry may reach inf: correct
  return out;
}

/** float32 bits → bfloat16 bits, round to nearest even; NaN stays NaN (quiet). */
export function f32BitsToBF16(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function toF16(x: number): number { f32Scratch[0] = x; return f32BitsToF16(u32Scratch[0]); }
export function toBF16(x: number): number { f32Scratch[0] = x; return f32BitsToBF16(u32Scratch[0]); }
export function fromF16(h: number): number { return halfTable()[h & 0xffff]; }
export function fromBF16(b: number): number { u32Scratch[0] = (b & 0xffff) << 16; return f32Scratch[0]; }
/** Rounds a float32 array through `dtype` and back (what a save in that dtype followed by a load gives). */
export function roundTo(data: Float32Array, dtype: DType): Float32Array {
  if (dtype === 'F32') return data.slice();
  return decode(encode(data, dtype), dtype, data.length);
}

/** Raw little-endian bytes of `dtype` → Float32Array. */
function decode(raw: Uint8Array, dtype: ReadableDType, count: number): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    new Uint8Array(out.buffer).set(raw.subarray(0, count * 4));
  } else if (dtype === 'F64') {
    const tmp = new Float64Array(count);
    new Uint8Array(tmp.buffer).set(raw.subarray(0, count * 8));
    out.set(tmp);
  } else {
    const src = new Uint16Array(count);
    new Uint8Array(src.buffer).set(raw.subarray(0, count * 2));
    if (dtype === 'F16') {
      const t = halfTable();
      for (let i = 0; i < count; i++) out[i] = t[src[i]];
    } else {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = src[i] << 16;
    }
  }
  return out;
}

/** Float32Array → raw little-endian bytes of `dtype`. */
function encode(data: Float32Array, dtype: DType): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  if (dtype === 'F16') for (let i = 0; i < data.length; i++) out[i] = f32BitsToF16(bits[i]);
  else for (let i = 0; i < data.length; i++) out[i] = f32BitsToBF16(bits[i]);
  return new Uint8Array(out.buffer);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/**
 * Parses and validates the header: JSON shape, dtypes, shapes, offsets in range, non-overlapping, sizes matching
 * shape × dtype. `fileSize` is the total byte length of the file.
 */
export function parseHeader(file: string, prefix: Uint8Array, fileSize: number, readHeader: (len: number) => Uint8Array): SafetensorsHeader {
  if (fileSize < 8 || prefix.length < 8) fail(file, `truncated: ${fileSize} bytes, a safetensors file starts with an 8-byte header length`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const len = Number(view.getBigUint64(0, true));
  if (len > fileSize - 8) fail(file, `header length ${len} runs past the end of the file (${fileSize} bytes): truncated or not a safetensors file`);
  if (len > MAX_HEADER_BYTES) fail(file, `header length ${len} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerBytes = readHeader(len);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    fail(file, `malformed JSON header (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(file, 'the JSON header is not an object');
  const dataStart = 8 + len;
  const dataLen = fileSize - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(file, '__metadata__ must be an object of strings');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') fail(file, `__metadata__.${k} must be a string, found ${JSON.stringify(s)}`);
      }
      metadata = v as Record<string, string>;
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(file, 'header entry is not an object', name);
    const { dtype, shape, data_offsets: offs } = v as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(file, 'missing dtype', name);
    if (!(dtype in BYTES)) {
      fail(file, KNOWN_DTYPES.has(dtype)
        ? `dtype ${dtype} is not supported (weights must be F32, F16, BF16 or F64)`
        : `unknown dtype '${dtype}'`, name);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(file, `shape must be an array of non-negative integers, found ${JSON.stringify(shape)}`, name);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(file, `data_offsets must be [begin, end], found ${JSON.stringify(offs)}`, name);
    }
    const [begin, end] = offs as number[];
    if (begin > end) fail(file, `data_offsets [${begin}, ${end}]: begin is after end`, name);
    if (end > dataLen) fail(file, `data_offsets [${begin}, ${end}] run past the data section (${dataLen} bytes): file truncated?`, name);
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const want = numel * BYTES[dtype as ReadableDType];
    if (want !== end - begin) {
      fail(file, `shape [${(shape as number[]).join(', ')}] × ${dtype} needs ${want} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`, name);
    }
    entries.push({ name, dtype: dtype as ReadableDType, shape: shape as number[], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1], c = sorted[i];
    if (c.begin < p.end) fail(file, `data_offsets [${c.begin}, ${c.end}] overlap tensor '${p.name}' [${p.begin}, ${p.end}]`, c.name);
  }
  return { entries, metadata, dataStart };
}

/** Decodes a whole safetensors file held in memory. */
export function decodeSafetensors(bytes: Uint8Array, file = '<buffer>'): SafetensorsContents {
  assertLittleEndianHost();
  const header = parseHeader(file, bytes.subarray(0, 8), bytes.length, (len) => bytes.subarray(8, 8 + len));
  const tensors: WeightMap = new Map();
  const dtypes = new Map<string, ReadableDType>();
  for (const e of header.entries) {
    const raw = bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    tensors.set(e.name, { shape: [...e.shape], data: decode(raw, e.dtype, (e.end - e.begin) / BYTES[e.dtype]) });
    dtypes.set(e.name, e.dtype);
  }
  return { tensors, dtypes, metadata: header.metadata };
}

/** Reads only the header of a file (names, dtypes, shapes), without the tensor data. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  assertLittleEndianHost();
  const fd = openOrFail(path);
  try {
    const size = fstatSync(fd).size;
    return parseHeader(path, readAt(fd, path, 0, Math.min(8, size)), size, (len) => readAt(fd, path, 8, len));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a safetensors file tensor by tensor (only one tensor's raw bytes are held at a time).
 * `only`, when given, restricts which tensors are read (names not in the file are ignored here).
 */
export function readSafetensors(path: string, only?: Set<string>): SafetensorsContents {
  assertLittleEndianHost();
  const fd = openOrFail(path);
  try {
    const size = fstatSync(fd).size;
    const header = parseHeader(path, readAt(fd, path, 0, Math.min(8, size)), size, (len) => readAt(fd, path, 8, len));
    const tensors: WeightMap = new Map();
    const dtypes = new Map<string, ReadableDType>();
    for (const e of header.entries) {
      if (only && !only.has(e.name)) continue;
      const raw = readAt(fd, path, header.dataStart + e.begin, e.end - e.begin);
      tensors.set(e.name, { shape: [...e.shape], data: decode(raw, e.dtype, (e.end - e.begin) / BYTES[e.dtype]) });
      dtypes.set(e.name, e.dtype);
    }
    return { tensors, dtypes, metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}

function openOrFail(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new Error(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function readAt(fd: number, path: string, pos: number, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, Math.min(len - got, 1 << 30), pos + got);
    if (n === 0) fail(path, `unexpected end of file at byte ${pos + got} (wanted ${len} bytes from ${pos})`);
    got += n;
  }
  return buf;
}

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

/**
 * Reads a checkpoint directory: model.safetensors, or the shards named by model.safetensors.index.json
 * (every tensor of the weight_map must be present in the shard it names).
 */
export function readSafetensorsDir(dir: string): SafetensorsContents & { files: string[] } {
  const single = join(dir, SINGLE_FILE);
  const index = join(dir, INDEX_FILE);
  if (existsSync(single)) return { ...readSafetensors(single), files: [single] };
  if (!existsSync(index)) throw new Error(`${dir}: no ${SINGLE_FILE} or ${INDEX_FILE} found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(index, 'utf8'));
  } catch (e) {
    throw new Error(`${index}: malformed JSON (${(e as Error).message})`);
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
    throw new Error(`${index}: missing "weight_map" object`);
  }
  const byShard = new Map<string, Set<string>>();
  for (const [name, shard] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard === '' || basename(shard) !== shard) {
      throw new Error(`${index}: weight_map["${name}"] must be a file name in the same folder, found ${JSON.stringify(shard)}`);
    }
    if (!byShard.has(shard)) byShard.set(shard, new Set());
    byShard.get(shard)!.add(name);
  }
  const tensors: WeightMap = new Map();
  const dtypes = new Map<string, ReadableDType>();
  let metadata: Record<string, string> = {};
  const files: string[] = [];
  for (const [shard, names] of byShard) {
    const path = join(dir, shard);
    if (!existsSync(path)) throw new Error(`${index}: shard ${shard} (holding e.g. '${names.values().next().value}') does not exist`);
    const part = readSafetensors(path, names);
    for (const name of names) {
      const t = part.tensors.get(name);
      if (!t) throw new Error(`${path}: tensor '${name}' is listed in ${INDEX_FILE} but not in this shard`);
      tensors.set(name, t);
      dtypes.set(name, part.dtypes.get(name)!);
    }
    if (files.length === 0) metadata = part.metadata;
    files.push(path);
  }
  return { tensors, dtypes, metadata, files };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

export interface WriteOptions {
  /** Stored dtype: one for all tensors, or per tensor name. Default F32. */
  dtype?: DType | ((name: string) => DType);
  metadata?: Record<string, string>;
}

function layout(tensors: WeightMap, opts: WriteOptions): { header: Uint8Array; items: { name: string; t: Tensor32; dtype: DType }[] } {
  const pick = typeof opts.dtype === 'function' ? opts.dtype : () => (opts.dtype as DType | undefined) ?? 'F32';
  const items = [...tensors.entries()].map(([name, t]) => ({ name, t, dtype: pick(name) }));
  const json: Record<string, unknown> = {};
  if (opts.metadata && Object.keys(opts.metadata).length) json.__metadata__ = opts.metadata;
  let offset = 0;
  for (const { name, t, dtype } of items) {
    if (!(dtype in BYTES) || dtype === ('F64' as string)) throw new Error(`safetensors write: tensor '${name}': unsupported dtype ${dtype}`);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) {
      throw new Error(`safetensors write: tensor '${name}': shape [${t.shape.join(', ')}] has ${numel} elements but the data has ${t.data.length}`);
    }
    const bytes = numel * BYTES[dtype];
    json[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(json);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const raw = new TextEncoder().encode(text);
  const pad = (8 - (raw.length % 8)) % 8;
  if (pad) text += ' '.repeat(pad);
  const body = new TextEncoder().encode(text);
  const header = new Uint8Array(8 + body.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(body.length), true);
  header.set(body, 8);
  return { header, items };
}

/** Encodes tensors as one safetensors file in memory. */
export function encodeSafetensors(tensors: WeightMap, opts: WriteOptions = {}): Uint8Array {
  assertLittleEndianHost();
  const { header, items } = layout(tensors, opts);
  const chunks = [header, ...items.map(({ t, dtype }) => encode(t.data, dtype))];
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

/** Writes tensors to `path` (via a temporary file renamed into place, so a crash never leaves half a file). */
export function writeSafetensors(path: string, tensors: WeightMap, opts: WriteOptions = {}): void {
  assertLittleEndianHost();
  const { header, items } = layout(tensors, opts);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, header);
    for (const { t, dtype } of items) writeAll(fd, encode(t.data, dtype));
    closeSync(fd);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    try { unlinkSync(tmp); } catch { /* best effort */ }
    throw new Error(`${path}: write failed (${(e as Error).message})`);
  }
  renameSync(tmp, path);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}
