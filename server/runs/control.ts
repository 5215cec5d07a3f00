// Liveness and control of runs through their directories: a run that claims to be queued or running but whose
// trainer process is gone is marked failed; stop sends SIGTERM to the trainer (which checkpoints and marks the run
// stopped); delete removes a finished run. Shared by the run manager (language server) and the CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunInfo } from '../protocol/runs';
import { isPidAlive, readRunInfo, tryReadRunInfo, updateRunInfo } from './run-dir';

/** A run whose trainer may still be working. */
export function isActive(info: RunInfo): boolean {
  return info.status === 'queued' || info.status === 'running';
}

/** How long a queued run without a pid may wait for its trainer to start before it is declared failed. */
export const QUEUED_GRACE_MS = 120_000;

export interface ReconcileContext {
  /** the trainer child when this process spawned it: its pid and whether it has exited */
  child?: { pid?: number; exited: boolean; code: number | null; signal: NodeJS.Signals | null; stopRequested?: boolean };
  now?: number;
  queuedGraceMs?: number;
}

/**
 * Marks an active run failed when its trainer is gone; returns the (possibly updated) record. The record is
 * re-read after the pid is found dead, so a trainer that wrote its final status and then exited is never
 * mistaken for a crash.
 */
export function reconcileRun(dir: string, info: RunInfo, ctx: ReconcileContext = {}): RunInfo {
  if (!isActive(info)) return info;
  const reason = deadReason(info, ctx);
  if (!reason) return info;
  const fresh = tryReadRunInfo(dir);
  if (!fresh || !isActive(fresh)) return fresh ?? info;
  const confirmed = deadReason(fresh, ctx);
  if (!confirmed) return fresh;
  const ended = new Date().toISOString();
  if (fresh.pid === undefined && ctx.child?.stopRequested && ctx.child.signal === 'SIGTERM') {
    // stopped while it was still starting: nothing was trained, nothing failed
    return updateRunInfo(dir, { status: 'stopped', ended, pid: undefined, step: 0 });
  }
  return updateRunInfo(dir, { status: 'failed', error: confirmed, ended, pid: undefined });
}

/**
 * When the process with this pid started (ms since epoch), on Linux; undefined elsewhere or when unknown.
 * From /proc/<pid>/stat (field 22, clock ticks after boot; USER_HZ is 100 on Linux) and /proc/stat's btime.
 */
export function processStartTime(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on; comm may hold spaces
    const ticks = Number(fields[22 - 3]);
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return undefined;
    return btime * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}

/** Slack for clock granularity (btime is whole seconds) when comparing a process's start with run.json times. */
const START_SLACK_MS = 5_000;

function deadReason(info: RunInfo, ctx: ReconcileContext): string | undefined {
  if (info.pid !== undefined) {
    if (!isPidAlive(info.pid)) return `trainer process exited unexpectedly (pid ${info.pid})`;
    // a trainer writes `started` after its process began; a process that began well after that is another one
    // that was given the dead trainer's pid (after a reboot, or pid wrap-around)
    const started = info.started ? Date.parse(info.started) : NaN;
    const began = processStartTime(info.pid);
    if (Number.isFinite(started) && began !== undefined && began > started + START_SLACK_MS) {
      return `trainer process exited unexpectedly (pid ${info.pid} now belongs to a process started ${new Date(began).toISOString()})`;
    }
    return undefined;
  }
  // no pid yet: the window between creating the run and the trainer writing its pid
  const child = ctx.child;
  if (child) {
    if (!child.exited) return undefined;
    const how = child.signal ? `was killed by ${child.signal}` : `exited with code ${child.code}`;
    return `trainer process ${how} before it started the run (pid ${child.pid ?? '?'}; see trainer.out)`;
  }
  const created = Date.parse(info.created);
  const grace = ctx.queuedGraceMs ?? QUEUED_GRACE_MS;
  if (Number.isFinite(created) && (ctx.now ?? Date.now()) - created > grace) {
    return `trainer never started (no pid recorded within ${Math.round(grace / 1000)} s of creating the run)`;
  }
  return undefined;
}

/**
 * Sends SIGTERM (or the given signal) to a run's trainer. Throws a clear error when the run is not active or its
 * trainer is already gone (the run is then marked failed).
 */
export function signalRun(dir: string, signal: NodeJS.Signals = 'SIGTERM', fallbackPid?: number): RunInfo {
  const info = reconcileRun(dir, readRunInfo(dir), fallbackPid ? { child: { pid: fallbackPid, exited: !isPidAlive(fallbackPid), code: null, signal: null } } : {});
  if (!isActive(info)) {
    throw new Error(`run ${info.id} is not running (status: ${info.status}${info.error ? `: ${info.error}` : ''})`);
  }
  const pid = info.pid ?? fallbackPid;
  if (!pid) throw new Error(`run ${info.id} is queued and its trainer has not recorded a pid yet; try again in a moment`);
  try {
    process.kill(pid, signal);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return reconcileRun(dir, info);
    throw new Error(`cannot signal the trainer of run ${info.id} (pid ${pid}): ${code ?? String(e)}`);
  }
  return info;
}

/** Waits until a run is no longer active (re-checking liveness), or the timeout passes; returns the last record. */
export async function waitForEnd(dir: string, timeoutMs: number, pollMs = 200): Promise<{ info: RunInfo; ended: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = reconcileRun(dir, readRunInfo(dir));
    if (!isActive(info)) return { info, ended: true };
    if (Date.now() >= deadline) return { info, ended: false };
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
  }
}

/** A run id as it may appear in a path: one plain folder name. */
export function checkRunId(id: string): void {
  if (!id || id === '.' || id === '..' || id.includes('/') || id.includes('\\') || id.includes('\0')) {
    throw new Error(`not a run id: ${JSON.stringify(id)}`);
  }
}

/** The directory of run `id` under `runsDir`; throws when it is not a run. */
export function runDirOf(runsDir: string, id: string): string {
  checkRunId(id);
  const dir = path.join(runsDir, id);
  if (!fs.existsSync(path.join(dir, 'run.json'))) throw new Error(`no run "${id}" in ${runsDir}`);
  return dir;
}

/** Deletes a run directory; refuses while the run's trainer is alive. */
export function deleteRunDir(dir: string, ctx: ReconcileContext = {}): void {
  const info = tryReadRunInfo(dir);
  if (info) {
    const now = reconcileRun(dir, info, ctx);
    if (isActive(now)) throw new Error(`run ${now.id} is ${now.status}; stop it before deleting it`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
