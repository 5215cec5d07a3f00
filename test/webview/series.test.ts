// The webview's data side (webview/series.ts): incremental series, TensorBoard-style smoothing, the compare summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunSeries, smooth, positiveOnly, summarize } from '../../webview/series';
import type { MetricsLine } from '../../server/protocol/runs';

const L = (step: number, o: Record<string, number> = {}): MetricsLine => ({ step, epoch: 0, time: step * 1000, ...o });

test('RunSeries: one series per key, applied from a line index; overlaps skipped, from 0 replaces', () => {
  const s = new RunSeries();
  assert.equal(s.apply([L(1, { loss: 1 }), L(2, { loss: 0.8, eval_loss: 0.9 })], 0), true);
  assert.deepEqual(s.series.get('loss'), [{ x: 1, y: 1 }, { x: 2, y: 0.8 }]);
  assert.deepEqual(s.series.get('eval_loss'), [{ x: 2, y: 0.9 }]);
  assert.equal(s.series.has('time'), false);
  const v = s.version;
  assert.equal(s.apply([L(2, { loss: 0.8 })], 1), false, 'line 1 is known');
  assert.equal(s.version, v);
  assert.equal(s.apply([L(2, { loss: 0.8 }), L(3, { loss: 0.7, grad_norm: NaN })], 1), true);
  assert.deepEqual(s.series.get('loss')?.map((p) => p.x), [1, 2, 3]);
  assert.equal(s.series.has('grad_norm'), false, 'non-finite values are not drawn');
  assert.equal(s.lines.length, 3);
  s.apply([L(1, { loss: 5 })], 0);
  assert.deepEqual(s.series.get('loss'), [{ x: 1, y: 5 }], 'a full reload replaces');
  // a resumed run that rewinds its step keeps x sorted
  s.apply([L(2, { loss: 4 }), L(3, { loss: 3 }), L(2, { loss: 3.5 })], 1);
  assert.deepEqual(s.series.get('loss')?.map((p) => p.x), [1, 2]);
});

test('smooth: TensorBoard\'s debiased EMA', () => {
  const pts = [3, 1, 4, 1, 5].map((y, i) => ({ x: i, y }));
  assert.deepEqual(smooth(pts, 0), pts);
  const w = 0.6;
  let last = 0;
  const want = pts.map((p, i) => { last = last * w + (1 - w) * p.y; return { x: p.x, y: last / (1 - w ** (i + 1)) }; });
  const got = smooth(pts, w);
  got.forEach((p, i) => assert.ok(Math.abs(p.y - want[i].y) < 1e-12));
  assert.ok(Math.abs(got[0].y - 3) < 1e-12, 'the first point is not pulled toward 0');
  const flat = smooth(Array.from({ length: 50 }, (_, i) => ({ x: i, y: 2 })), 0.99);
  for (const p of flat) assert.ok(Math.abs(p.y - 2) < 1e-9, 'a constant stays constant');
  assert.deepEqual(positiveOnly([{ x: 0, y: -1 }, { x: 1, y: 0 }, { x: 2, y: 3 }]), [{ x: 2, y: 3 }]);
});

test('summarize: ms per step over training lines, peak memory, final (eval) accuracy', () => {
  const lines = [
    L(1, { loss: 0.7, 'rewards/accuracies': 0.5, peak_memory_mb: 900 }),
    L(2, { loss: 0.6, 'rewards/accuracies': 0.6, peak_memory_mb: 950 }),
    { ...L(2, { eval_loss: 0.65, 'eval_rewards/accuracies': 0.55 }), time: 2500 },
    { ...L(4, { loss: 0.5, 'rewards/accuracies': 0.75, peak_memory_mb: 940 }), time: 5500 },
  ];
  assert.deepEqual(summarize(lines), { steps: 4, msPerStep: 1500, peakMemoryMb: 950, finalAccuracy: 0.75, finalEvalAccuracy: 0.55, finalLoss: 0.5 });
  assert.deepEqual(summarize([]), { steps: 0, msPerStep: undefined, peakMemoryMb: undefined, finalAccuracy: undefined, finalEvalAccuracy: undefined, finalLoss: undefined });
});
