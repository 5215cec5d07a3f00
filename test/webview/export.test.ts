// CSV of metrics lines (extension/charts/csv.ts) and the live-metrics batcher (extension/charts/batcher.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsCsv } from '../../extension/charts/csv';
import { MetricsBatcher, type MetricsBatch } from '../../extension/charts/batcher';
import type { MetricsLine } from '../../server/protocol/runs';

const line = (step: number, extra: Record<string, number> = {}): MetricsLine => ({ step, epoch: step / 10, time: 1000 + step, ...extra });

test('CSV: columns are step, epoch, time, then the union of keys in order of appearance', () => {
  const csv = metricsCsv([{ id: 'r', lines: [line(1, { loss: 0.69, 'rewards/margins': 0.1 }), line(2, { eval_loss: 0.7 }), line(3, { loss: 0.5, grad_norm: NaN })] }]);
  assert.equal(csv, [
    'step,epoch,time,loss,rewards/margins,eval_loss,grad_norm',
    '1,0.1,1001,0.69,0.1,,',
    '2,0.2,1002,,,0.7,',
    '3,0.3,1003,0.5,,,',
    '',
  ].join('\r\n'));
});

test('CSV of several runs has a run column; fields with commas and quotes are quoted', () => {
  const csv = metricsCsv([{ id: 'simpo,1', lines: [line(1, { loss: 1 })] }, { id: 'dpo "b"', lines: [line(1, { 'rewards/accuracies': 0.5 })] }]);
  const rows = csv.trimEnd().split('\r\n');
  assert.deepEqual(rows, ['run,step,epoch,time,loss,rewards/accuracies', '"simpo,1",1,0.1,1001,1,', '"dpo ""b""",1,0.1,1001,,0.5']);
});

/** Timers driven by the test: no waiting, no timing assertions. */
function fakeClock() {
  let now = 0;
  let queue: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  return {
    timers: {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => { const id = ++ids; queue.push({ at: now + ms, fn, id }); return id; },
      clearTimeout: (h: unknown) => { queue = queue.filter((t) => t.id !== h); },
    },
    advance(ms: number) {
      now += ms;
      for (;;) {
        const due = queue.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        queue = queue.filter((t) => t !== due);
        due.fn();
      }
    },
    pending: () => queue.length,
  };
}

test('batcher: at most one post per interval, lines appended in order with the right `from`', () => {
  const clock = fakeClock();
  const posts: MetricsBatch[][] = [];
  const b = new MetricsBatcher((x) => posts.push(x.map((y) => ({ ...y, lines: [...y.lines] }))), () => assert.fail('no gap'), 100, clock.timers);
  b.setCursor('r', 10);
  b.add('r', [line(11)], 10);
  clock.advance(0);
  assert.equal(posts.length, 1, 'the first line after a quiet spell goes at once');
  assert.deepEqual(posts[0].map((p) => [p.runId, p.from, p.lines.map((l) => l.step)]), [['r', 10, [11]]]);
  for (let i = 0; i < 30; i++) { b.add('r', [line(12 + i)], 11 + i); clock.advance(3); }
  // 90 ms later: still one post; the rest waits for the interval
  assert.equal(posts.length, 1);
  clock.advance(10);
  assert.equal(posts.length, 2);
  assert.equal(posts[1][0].from, 11);
  assert.deepEqual(posts[1][0].lines.map((l) => l.step), Array.from({ length: 30 }, (_, i) => 12 + i));
  assert.equal(b.cursor('r'), 41);
  // 1000 lines over one second: at most 10 posts
  const before = posts.length;
  for (let i = 0; i < 1000; i++) { b.add('r', [line(42 + i)], 41 + i); clock.advance(1); }
  clock.advance(100);
  assert.ok(posts.length - before <= 11, `${posts.length - before} posts for 1000 lines in 1 s`);
  assert.equal(b.cursor('r'), 1041);
  b.dispose();
});

test('batcher: overlaps are dropped, gaps reported, appends before the first load ignored', () => {
  const clock = fakeClock();
  const posts: MetricsBatch[] = [];
  const gaps: [string, number][] = [];
  const b = new MetricsBatcher((x) => posts.push(...x), (id, c) => gaps.push([id, c]), 100, clock.timers);
  b.add('r', [line(1)], 0);
  clock.advance(200);
  assert.equal(posts.length, 0, 'no cursor yet: the full load will carry it');
  b.setCursor('r', 5);
  b.add('r', [line(4), line(5), line(6), line(7)], 3); // lines 3..6: 3 and 4 are known
  clock.advance(200);
  assert.deepEqual(posts.map((p) => [p.from, p.lines.map((l) => l.step)]), [[5, [6, 7]]]);
  b.add('r', [line(6)], 5); // already sent
  clock.advance(200);
  assert.equal(posts.length, 1);
  b.add('r', [line(10)], 9); // the webview has 7 lines: 7 and 8 are missing
  assert.deepEqual(gaps, [['r', 7]]);
  b.reset();
  assert.equal(b.cursor('r'), undefined);
  b.dispose();
});
