// Collects rows that cannot be used. Under `bad_rows: fail` the first one throws a DataError naming file, line and
// reason; under `skip` they are counted and the first `keep` are kept for the report.
import { DataError, describeLocation } from './errors';
import type { BadRow, BadRowsMode, RowLocation } from './types';

export const BAD_ROWS_LISTED = 20;

export class BadRows {
  private readonly kept: BadRow[] = [];
  private total = 0;
  private readonly byReason = new Map<string, number>();

  constructor(readonly mode: BadRowsMode = 'skip', readonly keep = BAD_ROWS_LISTED) {}

  /** Records a bad row (throws under mode 'fail'). */
  add(loc: RowLocation, reason: string): void {
    this.push({ file: loc.file, ...(loc.line !== undefined ? { line: loc.line } : {}), index: loc.index, reason });
  }

  push(bad: BadRow): void {
    if (this.mode === 'fail') {
      throw new DataError(`Bad row in ${describeLocation(bad)}: ${bad.reason} (bad_rows: fail; set bad_rows: skip to skip such rows)`, bad);
    }
    this.total++;
    const kind = bad.reason.replace(/[:(].*$/, '').trim();
    this.byReason.set(kind, (this.byReason.get(kind) ?? 0) + 1);
    if (this.kept.length < this.keep) this.kept.push(bad);
  }

  get count(): number { return this.total; }
  /** the first `keep` bad rows */
  get listed(): BadRow[] { return this.kept.slice(); }
  /** counts by kind of reason ("missing field chosen" → 3) */
  get reasons(): Record<string, number> { return Object.fromEntries(this.byReason); }
}

/** "12 bad rows skipped (missing field chosen: 10, not JSON: 2); first: data.jsonl line 3 (row 2): not JSON ..." */
export function summarizeBadRows(bad: BadRows): string {
  if (bad.count === 0) return 'no bad rows';
  const kinds = Object.entries(bad.reasons).map(([k, n]) => `${k}: ${n}`).join(', ');
  const first = bad.listed[0];
  return `${bad.count} bad row${bad.count === 1 ? '' : 's'} skipped (${kinds}); first: ${describeLocation(first)}: ${first.reason}`;
}
