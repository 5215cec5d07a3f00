// Text shown for a run in the tree, the status bar and tooltips. Pure functions (no vscode import), unit-tested.
import type { RunSummary } from '../server/protocol/lsp';

export function fmtNum(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(digits)));
}

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function currentStep(r: RunSummary): number { return r.last?.step ?? r.step ?? 0; }

/** Remaining time from the pace so far: (elapsed / steps done) * steps left. */
export function eta(r: RunSummary, now = Date.now()): number | undefined {
  const step = currentStep(r);
  if (!r.started || step <= 0 || !r.totalSteps || step >= r.totalSteps) return undefined;
  const elapsed = (r.last?.time ?? now) - Date.parse(r.started);
  if (!(elapsed > 0)) return undefined;
  return (elapsed / step) * (r.totalSteps - step);
}

/** "step 40/120 · loss 0.41" while running, "acc 0.93 · loss 0.2" when done, the error when failed. */
export function describeRun(r: RunSummary): string {
  const parts: string[] = [];
  const step = currentStep(r);
  const acc = r.lastEval?.['eval_rewards/accuracies'] ?? r.last?.['rewards/accuracies'];
  if (r.status === 'running' || r.status === 'queued') {
    parts.push(`step ${step}/${r.totalSteps || '?'}`);
    if (r.last?.loss !== undefined) parts.push(`loss ${fmtNum(r.last.loss, 2)}`);
  } else if (r.status === 'failed') {
    parts.push('failed');
    if (r.error) parts.push(r.error.split('\n')[0].slice(0, 60));
  } else {
    if (r.status === 'stopped') parts.push(`stopped at ${step}/${r.totalSteps || '?'}`);
    if (acc !== undefined && Number.isFinite(acc)) parts.push(`acc ${acc.toFixed(2)}`);
    if (r.last?.loss !== undefined) parts.push(`loss ${fmtNum(r.last.loss, 2)}`);
  }
  return parts.join(' · ');
}

const HYPER_ORDER = ['algorithm', 'model', 'dataset', 'beta', 'gamma_beta_ratio', 'learning_rate', 'effective_batch', 'max_steps'];

/** Markdown for the tree item's tooltip: status, key hyperparameters, final metrics. */
export function runTooltipMarkdown(r: RunSummary): string {
  const lines: string[] = [];
  lines.push(`**${escapeMd(r.name || r.id)}** — ${r.status}${r.algorithm ? ` (${r.algorithm})` : ''}`);
  lines.push('');
  const step = currentStep(r);
  const facts = [`\`${r.id}\` · ${r.engine} on ${r.device}`,
    `step ${step} of ${r.totalSteps || '?'}${r.started ? ` · started ${new Date(r.started).toLocaleString()}` : ''}`];
  if (r.started && r.ended) facts.push(`took ${fmtDuration(Date.parse(r.ended) - Date.parse(r.started))}`);
  lines.push(facts.join('  \n')); // Markdown hard line breaks
  if (r.status === 'failed' && r.error) { lines.push(''); lines.push(`$(error) ${escapeMd(r.error)}`); }
  const hyper = r.hyper ?? {};
  const keys = [...HYPER_ORDER.filter((k) => k in hyper), ...Object.keys(hyper).filter((k) => !HYPER_ORDER.includes(k))];
  if (keys.length) {
    lines.push('', '| hyperparameter | value |', '|---|---|');
    for (const k of keys) lines.push(`| ${escapeMd(k)} | ${escapeMd(String(hyper[k]))} |`);
  }
  const metrics: [string, number | undefined][] = [
    ['loss', r.last?.loss], ['reward margin', r.last?.['rewards/margins']], ['reward accuracy', r.last?.['rewards/accuracies']],
    ['eval loss', r.lastEval?.eval_loss], ['eval accuracy', r.lastEval?.['eval_rewards/accuracies']],
    ['peak memory (MB)', r.last?.peak_memory_mb], ['tokens/s', r.last?.tokens_per_second],
  ];
  const shown = metrics.filter(([, v]) => v !== undefined);
  if (shown.length) {
    lines.push('', `| ${r.status === 'running' ? 'latest' : 'final'} metric | value |`, '|---|---|');
    for (const [k, v] of shown) lines.push(`| ${k} | ${fmtNum(v, 4)} |`);
  }
  return lines.join('\n');
}

function escapeMd(s: string): string { return s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`); }
