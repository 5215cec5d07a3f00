// The run directory on disk (../shared/DESIGN.md): creating a run, reading and writing run.json atomically,
// appending JSON lines durably, and reading them back tolerant of a partial last line (a trainer may be killed
// mid-write). The trainer writes through these functions; the run manager, the CLI and the extension's server only
// read. Everything here is synchronous on purpose: each call is small and a crash between calls must leave files
// that parse.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES, type RunInfo } from '../protocol/runs';

/** Default runs dir: `.simpo/runs` under the given folder (the workspace, or the CLI's current directory). */
export function defaultRunsDir(base: string): string {
  return path.join(base, '.simpo', 'runs');
}

function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return s || 'run';
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** A run id that sorts by creation time: `20261123-061500-<name>-<4 hex>`. */
export function newRunId(name: string, now: Date = new Date()): string {
  const rand = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0');
  return `${stamp(now)}-${slug(name)}-${rand}`;
}

export interface CreateRunOptions {
  name: string;
  device: string;
  engine?: string;
  algorithm?: string;
  configPath?: string;
  totalSteps?: number;
  /** use this id instead of a fresh one */
  id?: string;
  status?: RunInfo['status'];
}

/** Creates `<runsDir>/<id>/` (it must not exist) with a run.json in status `queued` (or the given status). */
export function createRunDir(runsDir: string, opts: CreateRunOptions): { id: string; dir: string; info: RunInfo } {
  fs.mkdirSync(runsDir, { recursive: true });
  for (let attempt = 0; attempt < 20; attempt++) {
    const id = opts.id ?? newRunId(opts.name);
    const dir = path.join(runsDir, id);
    try {
      fs.mkdirSync(dir); // not recursive: fails if it exists, so two creators never share a dir
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        if (opts.id) throw new Error(`run directory already exists: ${dir}`);
        continue;
      }
      throw e;
    }
    const info: RunInfo = {
      id,
      name: opts.name,
      status: opts.status ?? 'queued',
      engine: opts.engine ?? 'onnxruntime-node',
      device: opts.device,
      algorithm: opts.algorithm,
      configPath: opts.configPath,
      created: new Date().toISOString(),
      totalSteps: opts.totalSteps ?? 0,
    };
    writeRunInfo(dir, info);
    return { id, dir, info };
  }
  throw new Error(`could not create a unique run directory under ${runsDir}`);
}

/** Writes a file atomically: a temporary file in the same folder, fsynced, then renamed over the target. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  writeFileAtomic(path.join(dir, RUN_FILES.info), JSON.stringify(info, null, 2) + '\n');
}

/** Reads run.json; a clear error naming the file when it is missing or not a run record. */
export function readRunInfo(dir: string): RunInfo {
  const file = path.join(dir, RUN_FILES.info);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read run record (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const v = value as Partial<RunInfo>;
  if (!v || typeof v !== 'object' || typeof v.id !== 'string' || typeof v.status !== 'string') {
    throw new Error(`${file}: not a run record (needs "id" and "status")`);
  }
  return v as RunInfo;
}

/** Reads run.json, or undefined when the folder is not (yet) a readable run. */
export function tryReadRunInfo(dir: string): RunInfo | undefined {
  try {
    return readRunInfo(dir);
  } catch {
    return undefined;
  }
}

/** Reads, patches and atomically rewrites run.json; returns the new record. */
export function updateRunInfo(dir: string, patch: Partial<RunInfo>): RunInfo {
  const info = { ...readRunInfo(dir), ...patch };
  for (const k of Object.keys(info) as (keyof RunInfo)[]) if (info[k] === undefined) delete info[k];
  writeRunInfo(dir, info);
  return info;
}

/**
 * Appends one JSON object per line, flushed to disk (fsync) on every append, so a killed writer leaves every
 * complete line readable. Throws the file system's error (ENOSPC, EACCES...) with the file named.
 */
export class JsonlAppender {
  private fd: number | undefined;
  constructor(readonly file: string, private readonly durable = true) {
    this.fd = fs.openSync(file, 'a');
  }
  append(obj: unknown): void {
    this.write(JSON.stringify(obj) + '\n');
  }
  /** Appends raw text (e.g. a log line; add the newline yourself). */
  write(text: string): void {
    if (this.fd === undefined) throw new Error(`${this.file}: appender is closed`);
    try {
      fs.writeSync(this.fd, text);
      if (this.durable) fs.fsyncSync(this.fd);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`${this.file}: write failed (${err.code ?? ''} ${err.message})`.replace(/\s+\)/, ')'));
    }
  }
  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

export interface JsonlRead<T> {
  lines: T[];
  /** index of the next line to read (complete lines consumed so far) */
  next: number;
  /** lines that are complete but not JSON objects (1-based line numbers) */
  bad: { line: number; error: string }[];
}

/**
 * Reads complete lines of a JSONL file from line index `from` (0-based). A last line without its newline is not
 * returned (it may still be being written) and not counted in `next`. A missing file reads as empty.
 */
export function readJsonl<T = Record<string, unknown>>(file: string, from = 0): JsonlRead<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], next: from, bad: [] };
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const parts = text.split('\n');
  parts.pop(); // the text after the last newline: empty, or a partial line
  const lines: T[] = [];
  const bad: { line: number; error: string }[] = [];
  for (let i = from; i < parts.length; i++) {
    const raw = parts[i].trim();
    if (!raw) continue;
    try {
      const v = JSON.parse(raw);
      if (v && typeof v === 'object' && !Array.isArray(v)) lines.push(v as T);
      else bad.push({ line: i + 1, error: 'not a JSON object' });
    } catch (e) {
      bad.push({ line: i + 1, error: (e as Error).message });
    }
  }
  return { lines, next: Math.max(from, parts.length), bad };
}

/** Whether a process with this pid exists (signal 0). EPERM means it exists but belongs to someone else. */
export function isPidAlive(pid: number | undefined): boolean {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Folders under the runs dir that hold a run.json, newest id first. */
export function listRunDirs(runsDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(runsDir, e.name, RUN_FILES.info)))
    .map((e) => e.name)
    .sort()
    .reverse()
    .map((n) => path.join(runsDir, n));
}

/** Finds a run by id, unique id prefix or name; throws a clear error when none or several match. */
export function findRunDir(runsDir: string, ref: string): string {
  const dirs = listRunDirs(runsDir);
  const exact = dirs.find((d) => path.basename(d) === ref);
  if (exact) return exact;
  const matches = dirs.filter((d) => path.basename(d).startsWith(ref) || tryReadRunInfo(d)?.name === ref);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new Error(`no run "${ref}" in ${runsDir}`);
  throw new Error(`"${ref}" matches ${matches.length} runs in ${runsDir}: ${matches.map((d) => path.basename(d)).join(', ')}`);
}
