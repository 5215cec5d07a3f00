// The config API the trainer, the CLI and the language server share:
//   parseConfigText(text, file)  synchronous: YAML + schema + aliases + cross-field rules (no disk access)
//   loadConfigFile(path)         reads the file, runs every check (model/dataset paths on disk too)
//   resolveConfig(partial)       defaults filled for programmatic use (throws on a bad value)
//   configError(result)          one Error naming file:line:col, field and message of the first error, or undefined
import * as fs from 'node:fs';
import * as path from 'node:path';
import { looksLikeHubId } from '../data/hub-cache';
import { formatFinding, type Finding } from './findings';
import { KEY_BY_NAME, defaultsFor, inRange, rangeText } from './schema';
import type { SimpoConfig } from './types';
import { checkText, validateText, type LoadResult, type ValidateOptions } from './validate';

export type { LoadResult, ValidateOptions };

/** Parses and checks a config text without touching the disk (paths are not checked). */
export function parseConfigText(text: string, file: string, opts: ValidateOptions = {}): LoadResult {
  const r = checkText(text, file, opts);
  return { config: r.config, findings: r.findings };
}

export interface LoadOptions extends ValidateOptions {
  /** make local relative paths (model, datasets, checkpoint, runs dir) absolute against the config's folder (default true) */
  absolutePaths?: boolean;
}

/** Reads a config file and runs every check; an unreadable file is one error finding. */
export async function loadConfigFile(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'config file not found' : code === 'ENOTFILE' ? 'not a regular file' : `cannot read the config (${code ?? (e as Error).message})`;
    const zero = { line: 0, character: 0 };
    return { config: defaultsFor('simpo'), findings: [{ file, range: { start: zero, end: zero }, severity: 'error', code: 'unreadable', message: why }] };
  }
  const r = await validateText(text, file, opts);
  if (opts.absolutePaths !== false) absolutize(r.config, path.dirname(path.resolve(file)));
  return { config: r.config, findings: r.findings };
}

const PATH_KEYS = ['model_name_or_path', 'ref_model_name_or_path', 'dataset', 'eval_dataset', 'resume_from_checkpoint', 'runs_dir'] as const;

/** Local relative paths become absolute (against baseDir); hub ids that are not local paths stay as written. */
export function absolutize(c: SimpoConfig, baseDir: string): void {
  const abs = (v: string) => {
    if (!v || path.isAbsolute(v)) return v;
    const local = path.resolve(baseDir, v);
    return fs.existsSync(local) || !looksLikeHubId(v) ? local : v;
  };
  for (const k of PATH_KEYS) {
    const v = c[k];
    if (typeof v === 'string') (c as unknown as Record<string, unknown>)[k] = abs(v);
  }
  if (c.dataset_mixer) c.dataset_mixer = Object.fromEntries(Object.entries(c.dataset_mixer).map(([k, v]) => [abs(k), v]));
}

/** Defaults filled in for programmatic use (tests, the run manager). Throws an Error naming the field on a bad value. */
export function resolveConfig(partial: Partial<SimpoConfig> = {}): SimpoConfig {
  const c = defaultsFor(partial.algorithm ?? 'simpo');
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined) continue;
    const spec = KEY_BY_NAME.get(k);
    if (!spec || spec.effect !== 'used') throw new Error(`resolveConfig: unknown key "${k}"`);
    if (typeof v === 'number' && (spec.type === 'number' || spec.type === 'integer') && !inRange(spec, v)) {
      throw new Error(`resolveConfig: ${k} must be ${rangeText(spec)}; got ${v}`);
    }
    if (spec.type === 'enum' && !spec.enum!.includes(v as string)) throw new Error(`resolveConfig: ${k} must be one of ${spec.enum!.join(', ')}; got ${String(v)}`);
    (c as unknown as Record<string, unknown>)[k] = v;
  }
  if (c.max_prompt_length >= c.max_length) throw new Error(`resolveConfig: max_prompt_length (${c.max_prompt_length}) must be below max_length (${c.max_length})`);
  return c;
}

/** The errors of a result as one Error ("file:line:col error code message" lines), or undefined when there are none. */
export function configError(r: LoadResult): Error | undefined {
  const errors = r.findings.filter((f) => f.severity === 'error');
  if (!errors.length) return undefined;
  return new Error(errors.map(formatFinding).join('\n'));
}

export { formatFinding };
export type { Finding };
