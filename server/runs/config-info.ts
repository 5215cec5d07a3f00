// The little the run manager needs to know of a config before it starts a run: that the file exists and is a YAML
// mapping, and the run's name, device and algorithm for its run.json. Full validation is the trainer's (and the
// language server's) job; errors found there end the run as failed with the message in run.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';

export interface ConfigInfo {
  name: string;
  device: string;
  algorithm: string;
  /** `runs_dir` as written in the config (untrusted; see ./paths.ts) */
  runsDir?: string;
}

/** Default run name for a config file: its base name without `.simpo.yaml` / `.yaml`. */
export function nameFromConfigPath(configPath: string): string {
  return path.basename(configPath).replace(/(\.simpo)?\.ya?ml$/i, '') || 'run';
}

/** Reads a config file's name, device and algorithm; throws one clear message naming the file (and line). */
export function describeConfig(configPath: string): ConfigInfo {
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `config not found: ${configPath}` : `${configPath}: cannot read (${code ?? String(e)})`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0];
    throw new Error(`${configPath}${line ? `:${line.line}:${line.col}` : ''}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const v = doc.toJS() as unknown;
  if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) {
    throw new Error(`${configPath}: a config must be a YAML mapping of keys to values`);
  }
  const c = (v ?? {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' && x.trim() ? x.trim() : undefined);
  return {
    name: str(c.run_name) ?? nameFromConfigPath(configPath),
    device: str(c.device) ?? 'cpu',
    algorithm: str(c.algorithm) ?? 'simpo',
    runsDir: str(c.runs_dir),
  };
}
