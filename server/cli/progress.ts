// Training progress for the terminal: on a TTY one status line redrawn in place (\r, throttled) with the step,
// a bar, the ETA and the live loss, margin and accuracy; log lines are printed above it. Elsewhere (a pipe, CI)
// plain log lines only.
import type { TrainingProgress } from '../train/index';
import { formatDuration, num } from './format';

/** A progress report of the trainer (defined once, in server/train). */
export type Progress = TrainingProgress;

/** One status line, fitted to `width` columns. */
export function progressLine(p: Progress, width = 100): string {
  const total = Math.max(0, p.totalSteps);
  const frac = total > 0 ? Math.min(1, Math.max(0, p.step / total)) : 0;
  const m = p.metrics;
  const parts: string[] = [];
  if (p.phase && p.phase !== 'train') parts.push(p.phase);
  const counter = `${p.step}/${total || '?'}`;
  const eta = p.etaSeconds !== undefined ? `ETA ${formatDuration(p.etaSeconds)}` : '';
  const stats = [
    m.loss !== undefined ? `loss ${num(m.loss)}` : '',
    m['rewards/margins'] !== undefined ? `margin ${num(m['rewards/margins'])}` : '',
    m['rewards/accuracies'] !== undefined ? `acc ${num(m['rewards/accuracies'], 3)}` : '',
  ].filter(Boolean).join('  ');
  if (total === 0) return [parts.join(' ') || p.phase, `step ${p.step}`, stats].filter(Boolean).join('  ').slice(0, Math.max(0, width - 1));
  const pct = `${String(Math.floor(frac * 100)).padStart(3)}%`;
  const fixed = [parts.join(' '), counter, pct, eta, stats].filter(Boolean).join('  ');
  const barWidth = Math.min(30, width - fixed.length - 4);
  let line: string;
  if (barWidth >= 10) {
    const filled = Math.round(frac * barWidth);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
    line = [parts.join(' '), counter, bar, pct, eta, stats].filter(Boolean).join('  ');
  } else {
    line = fixed;
  }
  return line.length > width - 1 ? line.slice(0, Math.max(0, width - 1)) : line;
}

export interface ProgressSink {
  progress(p: Progress): void;
  log(line: string): void;
  /** clears the status line (before a final message) */
  done(): void;
}

export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A status line redrawn in place on a TTY, throttled to `intervalMs`; log lines above it. */
export class TtyProgress implements ProgressSink {
  private lastDraw = 0;
  private current: Progress | undefined;
  private shown = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: Stream, private readonly intervalMs = 100) {}

  progress(p: Progress): void {
    this.current = p;
    const now = Date.now();
    const final = p.totalSteps > 0 && p.step >= p.totalSteps;
    if (final || now - this.lastDraw >= this.intervalMs) {
      this.draw();
    } else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; this.draw(); }, this.intervalMs - (now - this.lastDraw));
      this.timer.unref();
    }
  }

  log(line: string): void {
    this.clear();
    this.stream.write(line.endsWith('\n') ? line : line + '\n');
    if (this.current) this.draw();
  }

  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    this.current = undefined;
  }

  private draw(): void {
    if (!this.current) return;
    this.lastDraw = Date.now();
    this.stream.write(`\r\x1b[2K${progressLine(this.current, this.stream.columns || 100)}`);
    this.shown = true;
  }

  private clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** Plain lines: the trainer's log lines as they come; progress events are not printed (the log has the steps). */
export class PlainProgress implements ProgressSink {
  constructor(private readonly stream: Stream) {}
  progress(): void { /* the log lines carry the numbers */ }
  log(line: string): void {
    this.stream.write(line.endsWith('\n') ? line : line + '\n');
  }
  done(): void { /* nothing drawn */ }
}
