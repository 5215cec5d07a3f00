import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine, TtyProgress, PlainProgress } from '../../server/cli/progress';
import { formatDuration, formatAge, num, table } from '../../server/cli/format';

test('progressLine shows step, bar, ETA and live metrics, fitted to the width', () => {
  const p = { step: 25, totalSteps: 100, etaSeconds: 75, phase: 'train',
    metrics: { loss: 0.693147, 'rewards/margins': 0.01234, 'rewards/accuracies': 0.5 } };
  const line = progressLine(p, 120);
  assert.equal(line, '25/100  [########......................]   25%  ETA 1m15s  loss 0.6931  margin 0.01234  acc 0.5');
  const narrow = progressLine(p, 40);
  assert.ok(narrow.length <= 39);
  assert.ok(narrow.startsWith('25/100'));
  assert.equal(progressLine({ step: 0, totalSteps: 0, metrics: {}, phase: 'load' }, 80), 'load  step 0');
  assert.match(progressLine({ step: 3, totalSteps: 10, metrics: {}, phase: 'eval' }, 80), /^eval  3\/10  \[/);
});

test('TtyProgress redraws in place and prints log lines above the status line', () => {
  let written = '';
  const sink = new TtyProgress({ write: (s: string) => { written += s; }, isTTY: true, columns: 80 }, 0);
  sink.progress({ step: 1, totalSteps: 2, metrics: { loss: 1 }, phase: 'train' });
  sink.log('step 1 loss 1');
  sink.progress({ step: 2, totalSteps: 2, metrics: { loss: 0.5 }, phase: 'train' });
  sink.done();
  const screen = written.split('\r\x1b[2K');
  assert.ok(screen.some((s) => s.startsWith('1/2')));
  assert.ok(screen.includes('step 1 loss 1\n'));
  assert.ok(screen.some((s) => s.startsWith('2/2') && s.includes('loss 0.5')));
  assert.ok(written.endsWith('\r\x1b[2K')); // the status line is cleared at the end
  let plain = '';
  const p = new PlainProgress({ write: (s: string) => { plain += s; } });
  p.progress();
  p.log('a line');
  assert.equal(plain, 'a line\n');
});

test('format helpers', () => {
  assert.equal(formatDuration(5), '5s');
  assert.equal(formatDuration(3700), '1h01m');
  assert.equal(formatDuration(-1), '?');
  assert.equal(formatAge(new Date(1000).toISOString(), 1000 + 125_000), '2m ago');
  assert.equal(formatAge(undefined), '-');
  assert.equal(num(0.000012345), '1.234e-5');
  assert.equal(num(Number.NaN), '-');
  assert.equal(table(['A', 'BB'], [['xyz', '1'], ['q', '22']], [1]), 'A    BB\nxyz   1\nq    22');
});
