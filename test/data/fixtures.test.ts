// The small datasets in test/fixtures/data (one per layout, usable by other tests) load end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadTokenizer, loadPreferenceData, peekDataset } from '../../server/data';
import { LLAMA3_DIR, LLAMA3_INSTRUCT_TEMPLATE } from './helpers';

const tok = loadTokenizer(LLAMA3_DIR, { chatTemplate: LLAMA3_INSTRUCT_TEMPLATE });
const dir = resolve('test/fixtures/data');
const cases = [
  ['ultrafeedback-mini.jsonl', 'ultrafeedback'],
  ['strings-mini.jsonl', 'strings'],
  ['hh-rlhf-mini.jsonl', 'hh-rlhf'],
  ['messages-mini.json', 'messages'],
] as const;

for (const [file, layout] of cases) {
  test(`fixture ${file}: layout ${layout}, 12 pairs, no bad rows`, async () => {
    const peek = await peekDataset(resolve(dir, file), 3);
    assert.equal(peek.layout, layout);
    assert.equal(peek.rows.length, 3);
    const d = await loadPreferenceData({ baseDir: dir, dataset: file, max_length: 128, max_prompt_length: 64, eval_split_ratio: 0.25, seed: 1, bad_rows: 'fail' }, tok);
    assert.equal(d.report.layout, layout);
    assert.deepEqual([d.train.length, d.eval.length, d.report.skipped], [9, 3, 0]);
    const all = [...d.train, ...d.eval];
    assert.ok(all.every((p) => p.promptIds.filter((x) => x === tok.bosId).length === 1 && p.chosenIds[p.chosenIds.length - 1] === tok.eosId));
    // the same answer text for each layout: only the prompt format differs
    const paris = all.find((p) => tok.decode(p.chosenIds).includes('Paris'))!;
    assert.match(tok.decode(paris.chosenIds, { skipSpecialTokens: true }), /^ ?The capital of France is Paris\.$/);
  });
}
