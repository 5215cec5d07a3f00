// Metrics lines as CSV (RFC 4180): one row per line, columns = step, epoch, time, then the union of every other key
// in order of first appearance; a leading `run` column when several runs are exported together. Pure.
import type { MetricsLine } from '../../server/protocol/runs';

export interface CsvRun { id: string; lines: readonly MetricsLine[] }

const FIRST = ['step', 'epoch', 'time'];

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsCsv(runs: readonly CsvRun[]): string {
  const keys: string[] = [...FIRST];
  const seen = new Set(keys);
  for (const r of runs) for (const l of r.lines) for (const k of Object.keys(l)) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  const multi = runs.length > 1;
  const header = (multi ? ['run', ...keys] : keys).map(cell).join(',');
  const rows = [header];
  for (const r of runs) {
    for (const l of r.lines) {
      const vals = keys.map((k) => cell((l as Record<string, unknown>)[k]));
      rows.push((multi ? [cell(r.id), ...vals] : vals).join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}
