import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRows, DataError, detectLayout, normalizeRow, peekDataset, readPairs, summarizeBadRows } from '../../server/data';
import { tempDir, writeJsonl, uf } from './helpers';

const loc = { file: 'f.jsonl', line: 1, index: 0 };

test('strings layout detected and normalised', () => {
  const row = { prompt: 'Q?', chosen: 'good', rejected: 'bad' };
  assert.equal(detectLayout([row]), 'strings');
  const n = normalizeRow(row, 'strings', loc);
  assert.ok(n.ok);
  assert.deepEqual(n.pair, { promptText: 'Q?', chosenText: 'good', rejectedText: 'bad', loc });
});

test('messages layout (TRL conversational): prompt list + assistant-only chosen/rejected', () => {
  const row = {
    prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
    chosen: [{ role: 'assistant', content: 'Hello.' }],
    rejected: [{ role: 'assistant', content: [{ type: 'text', text: 'Go ' }, { type: 'text', text: 'away.' }] }],
  };
  assert.equal(detectLayout([row]), 'messages');
  const n = normalizeRow(row, 'messages', loc);
  assert.ok(n.ok);
  assert.deepEqual(n.pair.promptMessages, row.prompt);
  assert.equal(n.pair.chosenText, 'Hello.');
  assert.equal(n.pair.rejectedText, 'Go away.');
  const s = normalizeRow({ ...row, prompt: 'Hi' }, 'messages', loc);
  assert.ok(s.ok);
  assert.deepEqual(s.pair.promptMessages, [{ role: 'user', content: 'Hi' }]);
});

test('ultrafeedback layout: prompt messages are chosen[:-1], responses the last assistant turns', () => {
  const row = {
    prompt: 'ignored text',
    chosen: [{ role: 'user', content: 'A' }, { role: 'assistant', content: 'B' }, { role: 'user', content: 'C' }, { role: 'assistant', content: 'good' }],
    rejected: [{ role: 'user', content: 'A' }, { role: 'assistant', content: 'B' }, { role: 'user', content: 'C' }, { role: 'assistant', content: 'bad' }],
  };
  assert.equal(detectLayout([row]), 'ultrafeedback');
  const n = normalizeRow(row, 'ultrafeedback', loc);
  assert.ok(n.ok);
  assert.deepEqual(n.pair.promptMessages, row.chosen.slice(0, -1));
  assert.equal(n.pair.chosenText, 'good');
  assert.equal(n.pair.rejectedText, 'bad');
});

test('hh-rlhf layout: prompt is the shared prefix through the last "\\n\\nAssistant:"', () => {
  const pre = '\n\nHuman: What is 2+2?\n\nAssistant: 4?\n\nHuman: Sure?\n\nAssistant:';
  const row = { chosen: pre + ' Yes, 4.', rejected: pre + ' Yes, 5.' }; // responses share a prefix too (" Yes, ")
  assert.equal(detectLayout([row]), 'hh-rlhf');
  const n = normalizeRow(row, 'hh-rlhf', loc);
  assert.ok(n.ok);
  assert.equal(n.pair.promptText, pre);
  assert.equal(n.pair.chosenText, ' Yes, 4.');
  assert.equal(n.pair.rejectedText, ' Yes, 5.');
});

test('each bad-row kind has a clear reason', () => {
  const r = (row: unknown, layout: Parameters<typeof normalizeRow>[1] = 'strings') => {
    const n = normalizeRow(row, layout, loc);
    assert.ok(!n.ok, JSON.stringify(row));
    return n.reason;
  };
  assert.equal(r({ prompt: 'p', rejected: 'b' }), 'missing field chosen');
  assert.equal(r({ prompt: 'p', chosen: '  ', rejected: 'b' }), 'empty field chosen');
  assert.equal(r({ prompt: 'p', chosen: 'same', rejected: 'same' }), 'chosen equals rejected');
  assert.match(r({ prompt: 'p', chosen: 'a', rejected: 7 }), /^non-text content in rejected/);
  assert.match(r([1, 2]), /not an object/);
  const img = uf('p', 'a', 'b');
  img.chosen[1] = { role: 'assistant', content: [{ type: 'image_url', image_url: 'x' }] } as never;
  assert.match(r(img, 'ultrafeedback'), /^non-text content in chosen\[1\]\.content \(a "image_url" part\)/);
  assert.equal(r({ ...uf('p', 'a', 'b'), rejected: [] }, 'ultrafeedback'), 'empty field rejected');
  assert.match(r({ chosen: '\n\nHuman: a', rejected: '\n\nHuman: b' }, 'hh-rlhf'), /share no/);
});

test('bad rows are reported with file, line and reason; skip counts them, fail throws naming file+line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'd.jsonl');
    writeJsonl(f, [
      { prompt: 'p1', chosen: 'a', rejected: 'b' },
      '{not json',
      { prompt: 'p3', chosen: 'x', rejected: 'x' },
      { prompt: 'p4', chosen: 'a' },
      { prompt: 'p5', chosen: 'c', rejected: 'd' },
    ]);
    const skip = new BadRows('skip');
    const r = await readPairs([f], skip);
    assert.equal(r.layout, 'strings');
    assert.equal(r.totalRows, 5);
    assert.equal(r.pairs.length, 2);
    assert.equal(skip.count, 3);
    assert.deepEqual(skip.listed.map((b) => [b.file, b.line, b.index]), [[f, 2, 1], [f, 3, 2], [f, 4, 3]]);
    assert.match(skip.listed[0].reason, /^not JSON \(line 2\)/);
    assert.equal(skip.listed[1].reason, 'chosen equals rejected');
    assert.equal(skip.listed[2].reason, 'missing field rejected');
    assert.match(summarizeBadRows(skip), /^3 bad rows skipped/);
    await assert.rejects(readPairs([f], new BadRows('fail')), (e: Error) =>
      e instanceof DataError && e.message.includes(`${f} line 2`) && e.message.includes('not JSON'));
  } finally { cleanup(); }
});

test('only the first 20 bad rows are listed, all are counted', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'd.jsonl');
    writeJsonl(f, [{ prompt: 'p', chosen: 'a', rejected: 'b' }, ...Array.from({ length: 30 }, () => ({ prompt: 'p', chosen: 'z', rejected: 'z' }))]);
    const bad = new BadRows('skip');
    await readPairs([f], bad);
    assert.equal(bad.count, 30);
    assert.equal(bad.listed.length, 20);
    assert.deepEqual(bad.reasons, { 'chosen equals rejected': 30 });
  } finally { cleanup(); }
});

test('unknown layout is an error naming the file and the fields seen', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'd.jsonl');
    writeJsonl(f, [{ question: 'q', answer: 'a' }]);
    await assert.rejects(readPairs([f], new BadRows('skip')), (e: Error) => e instanceof DataError && e.message.includes(f) && e.message.includes('question, answer'));
  } finally { cleanup(); }
});

test('peekDataset reads only the first n rows and reports the layout and bad rows', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'd.json');
    writeFileSync(f, JSON.stringify({ train: [uf('a', 'b', 'c'), { prompt: 'x', chosen: [], rejected: [] }, uf('d', 'e', 'f'), uf('g', 'h', 'i')] }));
    const p = await peekDataset(f, 3);
    assert.equal(p.layout, 'ultrafeedback');
    assert.equal(p.read, 3);
    assert.equal(p.rows.length, 2);
    assert.deepEqual(p.bad.map((b) => [b.index, b.reason]), [[1, 'empty field chosen']]);
  } finally { cleanup(); }
});
