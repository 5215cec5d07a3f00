import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { openRows, indexJsonl, JsonlRowReader, DataError, readPairs, BadRows, parquetInfo } from '../../server/data';
import type { RawRow } from '../../server/data';
import { tempDir, writeJsonl, uf, writeUltraFeedbackParquet } from './helpers';

async function all(it: AsyncIterable<RawRow>): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test('jsonl: rows with 1-based lines, 0-based indices and byte offsets; blank lines skipped; bad JSON flagged', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'd.jsonl');
    writeFileSync(f, '\uFEFF{"a":1}\r\n\n   \n{"a":2}\n{oops\n{"a":3}'); // BOM, CRLF, blanks, bad line, no final newline
    const rows = await all(openRows(f));
    assert.equal(rows.length, 4);
    assert.deepEqual(rows.map((r) => r.loc.line), [1, 4, 5, 6]);
    assert.deepEqual(rows.map((r) => r.loc.index), [0, 1, 2, 3]);
    assert.deepEqual(rows[0].row, { a: 1 });
    assert.equal(rows[1].loc.byteOffset, Buffer.byteLength('\uFEFF{"a":1}\r\n\n   \n'));
    assert.match(rows[2].parseError!, /^not JSON \(line 5\)/);
    assert.deepEqual(rows[3].row, { a: 3 });
    assert.equal((await all(openRows(f, { limit: 2 }))).length, 2);
  } finally { cleanup(); }
});

test('jsonl index: random access by row number matches streaming, across chunk boundaries', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'd.jsonl');
    const big = 'x'.repeat(300_000); // lines longer than a quarter chunk, so lines straddle the 1 MiB chunks
    const rows = Array.from({ length: 20 }, (_, i) => ({ i, pad: i % 3 === 0 ? big : 'é' }));
    writeJsonl(f, rows);
    const idx = await indexJsonl(f);
    assert.equal(idx.count, 20);
    const reader = new JsonlRowReader(idx);
    try {
      for (const i of [19, 0, 7, 3, 12]) {
        const r = reader.read(i);
        assert.deepEqual(r.row, rows[i]);
        assert.equal(r.loc.line, i + 1);
      }
      assert.throws(() => reader.read(20), RangeError);
    } finally { reader.close(); }
  } finally { cleanup(); }
});

test('jsonl index of a generated 1e6-row file stays small in memory (the file is never loaded whole)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'million.jsonl');
    const out = createWriteStream(f);
    const N = 1_000_000;
    let chunk = '';
    for (let i = 0; i < N; i++) {
      chunk += `{"prompt":"question ${i}","chosen":"good answer ${i}","rejected":"bad answer ${i} ${'z'.repeat(i % 50)}"}\n`;
      if (chunk.length > 1 << 20) { if (!out.write(chunk)) await once(out, 'drain'); chunk = ''; }
    }
    out.end(chunk);
    await once(out, 'finish');
    global.gc?.();
    const before = process.memoryUsage();
    let peak = 0;
    const timer = setInterval(() => { const m = process.memoryUsage(); peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers); }, 5);
    const idx = await indexJsonl(f);
    clearInterval(timer);
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
    assert.equal(idx.count, N);
    console.log(`# indexing 1e6 rows: memory growth peak ${(peak / 1048576).toFixed(1)} MB`);
    assert.ok(peak < 100 * 1024 * 1024, `memory grew by ${(peak / 1048576).toFixed(1)} MB while indexing (file is ${(idx.offsets[N - 1] / 1048576).toFixed(0)} MB)`);
    const reader = new JsonlRowReader(idx);
    try {
      assert.deepEqual((reader.read(N - 1).row as { prompt: string }).prompt, `question ${N - 1}`);
      assert.deepEqual((reader.read(123_456).row as { chosen: string }).chosen, 'good answer 123456');
    } finally { reader.close(); }
  } finally { cleanup(); }
});

test('json: a top-level array or an object with data/rows/train; other shapes are errors naming the file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = join(dir, 'a.json');
    writeFileSync(a, JSON.stringify([{ x: 1 }, { x: 2 }]));
    assert.deepEqual((await all(openRows(a))).map((r) => r.row), [{ x: 1 }, { x: 2 }]);
    const b = join(dir, 'b.json');
    writeFileSync(b, JSON.stringify({ rows: [{ x: 3 }] }));
    assert.deepEqual((await all(openRows(b)))[0].loc, { file: b, index: 0 });
    const c = join(dir, 'c.json');
    writeFileSync(c, JSON.stringify({ nothing: 1 }));
    await assert.rejects(all(openRows(c)), (e: Error) => e instanceof DataError && e.message.includes(c));
  } finally { cleanup(); }
});

test('unknown extension, missing file and folders are errors naming the path', () => {
  const { dir, cleanup } = tempDir();
  try {
    const t = join(dir, 'data.csv');
    writeFileSync(t, 'a,b\n');
    assert.throws(() => openRows(t), (e: Error) => e instanceof DataError && e.message.includes(t) && /unsupported/.test(e.message));
    assert.throws(() => openRows(join(dir, 'nope.jsonl')), /not found: .*nope\.jsonl/);
    mkdirSync(join(dir, 'folder.jsonl'));
    assert.throws(() => openRows(join(dir, 'folder.jsonl')), /is a folder/);
    assert.throws(() => openRows('/dev/null.jsonl'), /not found/);
  } finally { cleanup(); }
});

test('parquet written with hyparquet-writer (nested list<struct> columns as on the Hub), several row groups, read back in the UltraFeedback layout', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'train_prefs-00000-of-00001.parquet');
    const rows = Array.from({ length: 7 }, (_, i) => uf(`What is ${i}+${i}?`, `It is ${2 * i}.`, `No idea ${i}.`));
    writeUltraFeedbackParquet(f, rows, 3);
    const info = await parquetInfo(f);
    assert.deepEqual(info.rowGroups, [3, 3, 1]);
    const raw = await all(openRows(f));
    assert.deepEqual(raw.map((r) => r.loc.index), [0, 1, 2, 3, 4, 5, 6]);
    const bad = new BadRows('fail');
    const res = await readPairs([f], bad);
    assert.equal(res.layout, 'ultrafeedback');
    assert.equal(res.pairs.length, 7);
    assert.deepEqual(res.pairs[5].promptMessages, [{ role: 'user', content: 'What is 5+5?' }]);
    assert.equal(res.pairs[5].chosenText, 'It is 10.');
    assert.equal(res.pairs[5].rejectedText, 'No idea 5.');
    assert.equal((await all(openRows(f, { limit: 4 }))).length, 4);
  } finally { cleanup(); }
});
