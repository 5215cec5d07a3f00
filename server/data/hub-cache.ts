// Models and datasets by local path or Hugging Face hub id, resolved through the local HF cache only (nothing is
// downloaded). A path relative to the config's folder wins; otherwise "org/name" is looked up as
//   <cache>/models--org--name/snapshots/<rev>/        (rev from refs/main, else the newest snapshot)
//   <cache>/datasets--org--name/snapshots/<rev>/      (data files such as data/train_prefs-00000-of-00001.parquet)
// with <cache> = $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DataError } from './errors';

export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return resolve(env.HF_HUB_CACHE);
  if (env.HUGGINGFACE_HUB_CACHE) return resolve(env.HUGGINGFACE_HUB_CACHE);
  if (env.HF_HOME) return join(resolve(env.HF_HOME), 'hub');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'huggingface', 'hub');
}

type Kind = 'file' | 'dir';

/** What is at `p`: 'file', 'dir', 'other' (device, fifo, socket) or undefined when nothing is there. */
export function pathKind(p: string): Kind | 'other' | undefined {
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return undefined;
  }
}

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
export function looksLikeHubId(s: string): boolean {
  return HUB_ID.test(s) && !s.includes('..');
}

/** The snapshot folder of a cached repo (refs/<revision>, else the only/newest snapshot), or why not. */
function snapshotDir(repoDir: string, revision: string, looked: string[]): string | undefined {
  const refFile = join(repoDir, 'refs', revision);
  looked.push(refFile);
  let rev: string | undefined;
  if (pathKind(refFile) === 'file') rev = readFileSync(refFile, 'utf8').trim();
  else if (/^[0-9a-f]{40}$/.test(revision)) rev = revision;
  const snaps = join(repoDir, 'snapshots');
  if (rev) {
    const d = join(snaps, rev);
    looked.push(d);
    return pathKind(d) === 'dir' ? d : undefined;
  }
  looked.push(snaps + sep + '*');
  if (pathKind(snaps) !== 'dir') return undefined;
  const all = readdirSync(snaps).map((n) => join(snaps, n)).filter((d) => pathKind(d) === 'dir');
  all.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return all[0];
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  revision?: string;
}

/**
 * A model folder (config.json, tokenizer files, weights): a local folder (relative to baseDir) or a hub id from the
 * local HF cache. Throws a DataError listing every place looked at.
 */
export function resolveModel(nameOrPath: string, baseDir: string, opts: ResolveOptions = {}): string {
  const looked: string[] = [];
  const local = resolve(baseDir, nameOrPath);
  looked.push(local);
  const k = pathKind(local);
  if (k === 'dir') return local;
  if (k === 'file' || k === 'other') throw new DataError(`model ${nameOrPath}: ${local} is not a folder (expected a Hugging Face model folder with config.json)`);
  if (looksLikeHubId(nameOrPath)) {
    const cache = hubCacheDir(opts.env);
    const repo = join(cache, `models--${nameOrPath.replace('/', '--')}`);
    looked.push(repo);
    if (pathKind(repo) === 'dir') {
      const snap = snapshotDir(repo, opts.revision ?? 'main', looked);
      if (snap) return snap;
    }
  }
  throw new DataError(`model not found: ${nameOrPath}. Looked at:\n  ${looked.join('\n  ')}\nNothing is downloaded: put the model folder there (e.g. huggingface-cli download ${looksLikeHubId(nameOrPath) ? nameOrPath : 'ORG/NAME'}) or give a local path.`);
}

export interface ResolvedDataset {
  /** the data files, in name order (several shards of one split are read one after another) */
  files: string[];
  /** the split these files are (when resolved by split name) */
  split?: string;
  /** the folder the dataset came from (a local folder or a cache snapshot), when not a single file */
  root?: string;
}

const DATA_FILE = /\.(jsonl|ndjson|json|parquet)$/i;

function listDataFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      const k = pathKind(p);
      if (k === 'dir' && depth < 3) walk(p, depth + 1);
      else if (k === 'file' && DATA_FILE.test(name) && !/^(dataset_info|dataset_infos|config|state)\.json$/i.test(name)) out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

/** The files of `split` in a dataset folder: names like train_prefs-00000-of-00001.parquet, train_prefs.jsonl, or in a folder named split. */
export function splitFiles(dir: string, split: string): string[] {
  const all = listDataFiles(dir);
  const esc = split.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const byName = new RegExp(`(^|[\\\\/])${esc}([-_.][^\\\\/]*)?\\.(jsonl|ndjson|json|parquet)$`, 'i');
  const byFolder = new RegExp(`(^|[\\\\/])${esc}[\\\\/]`, 'i');
  return all.filter((f) => byName.test(relative(dir, f)) || byFolder.test(relative(dir, f)));
}

/** Names of the splits found in a dataset folder (the part of each data file name before "-00000-of-..."). */
export function listSplits(dir: string): string[] {
  const names = new Set<string>();
  for (const f of listDataFiles(dir)) {
    const base = f.slice(f.lastIndexOf(sep) + 1).replace(DATA_FILE, '').replace(/-\d{5}-of-\d{5}$/, '');
    names.add(base);
  }
  return [...names].sort();
}

/**
 * A dataset: a local file, a local folder (with split), or a hub id from the local HF cache (with split, e.g.
 * train_prefs). Throws a DataError listing every place looked at.
 */
export function resolveDataset(nameOrPath: string, baseDir: string, split?: string, opts: ResolveOptions = {}): ResolvedDataset {
  const looked: string[] = [];
  const local = isAbsolute(nameOrPath) ? nameOrPath : resolve(baseDir, nameOrPath);
  looked.push(local);
  const k = pathKind(local);
  if (k === 'file') return { files: [local] };
  if (k === 'other') throw new DataError(`dataset ${nameOrPath}: ${local} is not a regular file (device, fifo or socket)`);
  const fromFolder = (dir: string): ResolvedDataset | undefined => {
    if (split) {
      const files = splitFiles(dir, split);
      looked.push(join(dir, `**/${split}[-_.]*.{parquet,jsonl,json}`));
      if (files.length) return { files, split, root: dir };
      const have = listSplits(dir);
      if (have.length) throw new DataError(`dataset ${nameOrPath}: no split "${split}" in ${dir}; splits found: ${have.join(', ')}`);
      return undefined;
    }
    const files = listDataFiles(dir);
    looked.push(join(dir, '**/*.{parquet,jsonl,json}'));
    if (files.length === 1) return { files, root: dir };
    if (files.length > 1) {
      const splits = listSplits(dir);
      throw new DataError(`dataset ${nameOrPath}: ${dir} holds several data files; name a split (dataset_splits) among: ${splits.join(', ')}`);
    }
    return undefined;
  };
  if (k === 'dir') {
    const r = fromFolder(local);
    if (r) return r;
  } else if (looksLikeHubId(nameOrPath)) {
    const cache = hubCacheDir(opts.env);
    const repo = join(cache, `datasets--${nameOrPath.replace('/', '--')}`);
    looked.push(repo);
    if (pathKind(repo) === 'dir') {
      const snap = snapshotDir(repo, opts.revision ?? 'main', looked);
      if (snap) {
        const r = fromFolder(snap);
        if (r) return r;
      }
    }
  }
  throw new DataError(`dataset not found: ${nameOrPath}${split ? ` (split ${split})` : ''}. Looked at:\n  ${looked.join('\n  ')}\nNothing is downloaded: give a local .jsonl/.json/.parquet file, or put the dataset in the Hugging Face cache.`);
}

