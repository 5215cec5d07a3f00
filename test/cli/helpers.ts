// Helpers for CLI tests: run the real `simpo` entry (the TypeScript source through tsx, so a test always runs the
// code it sits beside) as a separate process.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'server', 'cli', 'main.ts');
/** `--import tsx` by absolute URL, so the CLI can run from any working directory. */
export const NODE_ARGS = ['--import', pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href];

export interface CliResult { status: number | null; stdout: string; stderr: string }

export function simpo(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [...NODE_ARGS, CLI, ...args], {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `simpo ...` without waiting; collects its output. */
export function simpoAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, [...NODE_ARGS, CLI, ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise<CliResult>((resolve) => child.on('close', (status, signal) => resolve({ status: status ?? (signal ? -1 : null), stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
}

export function tmp(prefix = 'simpo-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
