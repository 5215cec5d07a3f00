// The samples table (samples.jsonl: prompt, answer before and after training, correct marks) and the compare
// summary table (time per step, peak memory, final reward accuracy, final eval reward accuracy).
import type { SampleLine } from '../server/protocol/runs';
import { el, fmt } from './dom';
import { summarize } from './series';
import type { ChartRun } from './chart-view';

function mark(v: boolean | undefined): HTMLElement {
  if (v === undefined) return el('span', { class: 'mark none', 'aria-label': 'not judged' }, '');
  return v
    ? el('span', { class: 'mark ok', 'aria-label': 'correct', title: 'correct' }, '✓')
    : el('span', { class: 'mark bad', 'aria-label': 'incorrect', title: 'incorrect' }, '✗');
}

export function samplesTable(runLabel: string, samples: readonly SampleLine[]): HTMLElement {
  if (samples.length === 0) return el('p', { class: 'samples-empty' }, `${runLabel}: no samples yet (samples.jsonl is written when the run ends).`);
  const judged = samples.some((s) => s.beforeCorrect !== undefined || s.afterCorrect !== undefined);
  const head = el('tr', {},
    el('th', { scope: 'col' }, '#'), el('th', { scope: 'col' }, 'Prompt'),
    el('th', { scope: 'col' }, 'Before training'), el('th', { scope: 'col' }, 'After training'));
  const body = el('tbody');
  let before = 0; let after = 0;
  samples.forEach((s, i) => {
    if (s.beforeCorrect) before++;
    if (s.afterCorrect) after++;
    body.append(el('tr', {},
      el('td', { class: 'num' }, String(i + 1)),
      el('td', { class: 'text' }, s.prompt, ...(s.reference ? [el('div', { class: 'reference' }, 'reference: ', s.reference)] : [])),
      el('td', { class: 'text' }, ...(judged ? [mark(s.beforeCorrect), ' '] : []), s.before),
      el('td', { class: 'text' }, ...(judged ? [mark(s.afterCorrect), ' '] : []), s.after)));
  });
  const caption = judged
    ? `${runLabel}: ${samples.length} prompts, correct before ${before}/${samples.length}, after ${after}/${samples.length}`
    : `${runLabel}: ${samples.length} prompts`;
  return el('table', { class: 'samples', 'data-table': 'samples' }, el('caption', {}, caption), el('thead', {}, head), body);
}

export function summaryTable(runs: readonly ChartRun[], algorithms: ReadonlyMap<string, string | undefined>, colors: readonly string[]): HTMLElement {
  const head = el('tr', {}, ...['Run', 'Algorithm', 'Steps', 'Time per step', 'Peak memory', 'Final loss', 'Final reward accuracy', 'Final eval reward accuracy']
    .map((h) => el('th', { scope: 'col' }, h)));
  const body = el('tbody');
  runs.forEach((r, i) => {
    const s = summarize(r.data.lines);
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = colors[i % colors.length];
    body.append(el('tr', { 'data-run': r.id },
      el('th', { scope: 'row' }, swatch, r.label),
      el('td', {}, algorithms.get(r.id) ?? '—'),
      el('td', { class: 'num' }, String(s.steps)),
      el('td', { class: 'num' }, s.msPerStep === undefined ? '—' : `${fmt(s.msPerStep, 1)} ms`),
      el('td', { class: 'num' }, s.peakMemoryMb === undefined ? '—' : `${fmt(s.peakMemoryMb, 1)} MB`),
      el('td', { class: 'num' }, fmt(s.finalLoss, 4)),
      el('td', { class: 'num' }, fmt(s.finalAccuracy, 3)),
      el('td', { class: 'num' }, fmt(s.finalEvalAccuracy, 3))));
  });
  return el('table', { class: 'summary', 'data-table': 'summary', 'aria-label': 'Run comparison summary' }, el('thead', {}, head), body);
}
