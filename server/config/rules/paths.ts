// Model and dataset paths: exists, readable, a regular file/folder (never a device), inside the workspace, and in
// the right format (a model folder with config.json + safetensors weights + tokenizer.json; a dataset whose first
// rows parse in a known layout). Results are cached per path and refreshed when the files' mtime/size change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hubCacheDir, looksLikeHubId, resolveDataset, resolveModel } from '../../data/hub-cache';
import { peekDataset } from '../../data/load';
import type { Range, Severity } from '../findings';
import type { ParsedConfig, Entry } from '../parse';
import type { SimpoConfig } from '../types';
import type { Emit } from './values';

export interface PathRuleOptions {
  /** folders the config's paths should stay in (the workspace folders); none: no such check (CLI) */
  workspaceRoots?: string[];
  /** rows read from a dataset to check its layout */
  peekRows?: number;
  env?: NodeJS.ProcessEnv;
}

interface Note { severity: Severity; code: string; message: string }
interface CacheEntry { stamps: Array<[string, string]>; notes: Note[] }

const SPECIAL_ROOTS = ['/dev', '/proc', '/sys'];
const MODEL_TYPES = ['llama', 'mistral', 'qwen2'];
const DATA_EXT = /\.(jsonl|ndjson|json|parquet)$/i;

/** A stat signature that changes when the file or folder changes. */
function stamp(p: string): string {
  try {
    const s = fs.statSync(p);
    return `${s.isFile() ? 'f' : s.isDirectory() ? 'd' : 'o'}:${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
}

/** Cache of path checks, keyed by kind + resolved path (+ split); valid while every file it looked at is unchanged. */
export class PathCheckCache {
  private readonly map = new Map<string, CacheEntry>();
  constructor(private readonly max = 256) {}
  get(key: string): Note[] | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    for (const [p, s] of e.stamps) if (stamp(p) !== s) { this.map.delete(key); return undefined; }
    return e.notes;
  }
  set(key: string, looked: string[], notes: Note[]): void {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, { stamps: [...new Set(looked)].map((p) => [p, stamp(p)]), notes });
  }
  get size(): number { return this.map.size; }
  clear(): void { this.map.clear(); }
}

const defaultCache = new PathCheckCache();

function isSpecial(p: string): boolean {
  if (SPECIAL_ROOTS.some((r) => p === r || p.startsWith(r + '/'))) return true;
  try {
    const s = fs.statSync(p);
    return !s.isFile() && !s.isDirectory();
  } catch {
    return false;
  }
}

function realOrSelf(p: string): string {
  try { return fs.realpathSync(p); } catch { return p; }
}

function inside(p: string, roots: string[]): boolean {
  return roots.some((r) => {
    const rel = path.relative(realOrSelf(r), p);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

/** Checks of one path value; `looked` collects the files whose change invalidates the result. */
async function checkOne(kind: 'model' | 'dataset' | 'checkpoint' | 'dir', value: string, baseDir: string, split: string | undefined, opts: PathRuleOptions, looked: string[]): Promise<Note[]> {
  const local = path.resolve(baseDir, value);
  looked.push(local);
  if (isSpecial(local) || isSpecial(realOrSelf(local))) {
    return [{ severity: 'error', code: 'path-device', message: `${local} is a device or system file, not a ${kind === 'dataset' ? 'data file' : 'folder'}` }];
  }
  if (kind === 'dir') return [];
  const exists = fs.existsSync(local);
  if (!exists) {
    // org/name is a hub id unless it names a data file or its first folder exists here (then it is a local path)
    const hubLike = looksLikeHubId(value) && !(kind === 'dataset' && DATA_EXT.test(value)) && !fs.existsSync(path.resolve(baseDir, value.split('/')[0]));
    if ((kind === 'model' || kind === 'dataset') && hubLike) {
      looked.push(hubCacheDir(opts.env));
      try {
        if (kind === 'model') {
          const dir = resolveModel(value, baseDir, { env: opts.env });
          looked.push(dir);
          return modelFormat(dir, looked, `hub model ${value} (cache: ${dir})`);
        }
        const ds = resolveDataset(value, baseDir, split, { env: opts.env });
        looked.push(...ds.files);
        return await datasetFormat(ds.files[0], opts, `hub dataset ${value}${ds.split ? ` split ${ds.split}` : ''}`);
      } catch {
        return [{ severity: 'information', code: 'hub-id', message: `${value} is not a local path: resolved at run time as a Hugging Face hub id from the local cache (${hubCacheDir(opts.env)}; nothing is downloaded; not there now)` }];
      }
    }
    return [{ severity: 'error', code: 'path-missing', message: `${kind === 'model' ? 'model folder' : kind === 'dataset' ? 'dataset' : 'checkpoint'} not found: ${local}` }];
  }
  const real = realOrSelf(local);
  if (opts.workspaceRoots?.length && !inside(real, opts.workspaceRoots)) {
    return [{ severity: 'warning', code: 'path-outside', message: `${local} is outside the workspace; it is not read while validating` }];
  }
  try { fs.accessSync(local, fs.constants.R_OK); } catch {
    return [{ severity: 'error', code: 'path-unreadable', message: `${local} is not readable` }];
  }
  if (kind === 'model' || kind === 'checkpoint') {
    if (!fs.statSync(local).isDirectory()) return [{ severity: 'error', code: 'model-format', message: `${local} is a file: expected a Hugging Face model folder (config.json, model.safetensors, tokenizer.json)` }];
    return modelFormat(local, looked, local);
  }
  if (fs.statSync(local).isDirectory()) {
    try {
      const ds = resolveDataset(local, baseDir, split, { env: opts.env });
      looked.push(...ds.files);
      return await datasetFormat(ds.files[0], opts, local);
    } catch (e) {
      return [{ severity: 'error', code: 'dataset-format', message: (e as Error).message.split('\n')[0] }];
    }
  }
  return datasetFormat(local, opts, local);
}

function modelFormat(dir: string, looked: string[], what: string): Note[] {
  const has = (f: string) => { const p = path.join(dir, f); looked.push(p); return fs.existsSync(p); };
  const missing: string[] = [];
  if (!has('config.json')) missing.push('config.json');
  if (!has('model.safetensors') && !has('model.safetensors.index.json')) missing.push('model.safetensors (or model.safetensors.index.json)');
  if (!has('tokenizer.json')) missing.push('tokenizer.json');
  if (missing.length) return [{ severity: 'error', code: 'model-format', message: `${what} is not a Hugging Face model folder: missing ${missing.join(', ')}` }];
  try {
    const cfgPath = path.join(dir, 'config.json');
    if (fs.statSync(cfgPath).size > 1 << 20) return [{ severity: 'error', code: 'model-format', message: `${cfgPath} is over 1 MB: not a model config` }];
    const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as { model_type?: unknown };
    if (typeof cfg.model_type === 'string' && !MODEL_TYPES.includes(cfg.model_type)) {
      return [{ severity: 'error', code: 'model-format', message: `${what}: model_type "${cfg.model_type}" in config.json is not supported (${MODEL_TYPES.join(', ')})` }];
    }
  } catch (e) {
    return [{ severity: 'error', code: 'model-format', message: `${path.join(dir, 'config.json')}: not valid JSON (${(e as Error).message})` }];
  }
  return [];
}

async function datasetFormat(file: string, opts: PathRuleOptions, what: string): Promise<Note[]> {
  if (!DATA_EXT.test(file)) return [{ severity: 'error', code: 'dataset-format', message: `${what}: expected a .jsonl, .json or .parquet file of preference pairs` }];
  try {
    const r = await peekDataset(file, opts.peekRows ?? 5);
    if (r.read === 0) return [{ severity: 'warning', code: 'dataset-empty', message: `${what} holds no rows` }];
    if (!r.layout) return [{ severity: 'error', code: 'dataset-format', message: `${what}: the first rows are in no known layout (prompt/chosen/rejected strings or chat message lists)` }];
    if (r.bad.length) {
      const b = r.bad[0];
      return [{ severity: 'warning', code: 'dataset-rows', message: `${what}: ${r.bad.length} of the first ${r.read} rows are malformed (skipped with bad_rows: skip); ${b.line ? `line ${b.line}` : `row ${b.index}`}: ${b.reason}` }];
    }
    return [];
  } catch (e) {
    return [{ severity: 'error', code: 'dataset-format', message: `${what}: ${(e as Error).message.split('\n')[0]}` }];
  }
}

/** Checks every path-valued key of the config; findings land on the path's value range. */
export async function checkPaths(p: ParsedConfig, c: SimpoConfig, origin: Map<string, Entry>, opts: PathRuleOptions, emit: Emit, cache: PathCheckCache = defaultCache): Promise<void> {
  const baseDir = path.dirname(path.resolve(p.file));
  const jobs: Array<{ kind: 'model' | 'dataset' | 'checkpoint' | 'dir'; value: string; range: Range; split?: string }> = [];
  const add = (key: keyof SimpoConfig, kind: 'model' | 'dataset' | 'checkpoint' | 'dir', split?: string) => {
    const v = c[key];
    const e = origin.get(key);
    if (typeof v === 'string' && v.trim() && e) jobs.push({ kind, value: v, range: e.valueRange, split });
  };
  add('model_name_or_path', 'model');
  if (c.algorithm === 'dpo') add('ref_model_name_or_path', 'model');
  add('dataset', 'dataset', c.dataset_splits[0]);
  add('eval_dataset', 'dataset');
  add('resume_from_checkpoint', 'checkpoint');
  add('runs_dir', 'dir');
  if (c.dataset_mixer && !c.dataset) {
    for (const mk of origin.get('dataset_mixer')?.mapKeys ?? []) jobs.push({ kind: 'dataset', value: mk.key, range: mk.range, split: c.dataset_splits[0] });
  }
  await Promise.all(jobs.map(async (j) => {
    const key = `${j.kind}\0${path.resolve(baseDir, j.value)}\0${j.value}\0${j.split ?? ''}\0${(opts.workspaceRoots ?? []).join('\0')}`;
    let notes = cache.get(key);
    if (!notes) {
      const looked: string[] = [];
      notes = await checkOne(j.kind, j.value, baseDir, j.split, opts, looked);
      cache.set(key, looked, notes);
    }
    for (const n of notes) emit({ range: j.range, ...n });
  }));
}
