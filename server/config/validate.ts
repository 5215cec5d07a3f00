// Validation of a config text: YAML syntax, keys (types, enums, ranges, aliases, did-you-mean, no-effect),
// cross-field rules, and (async) the model and dataset paths. Returns the resolved config and every finding.
import { compareFindings, type Finding } from './findings';
import { parseConfig, type Entry, type ParsedConfig } from './parse';
import { checkCross } from './rules/cross';
import { checkKeys } from './rules/keys';
import { checkPaths, PathCheckCache, type PathRuleOptions } from './rules/paths';
import type { Emit } from './rules/values';
import { defaultsFor } from './schema';
import type { SimpoConfig } from './types';

export interface ValidateOptions extends PathRuleOptions {
  /** warn where values leave the SimPO paper's recommendations (default true) */
  paperRecommendations?: boolean;
  /** report keys that have no effect here (default true) */
  noEffectKeys?: boolean;
  /** check model/dataset paths on disk (default true in loadConfigFile / validateConfig) */
  checkPaths?: boolean;
  cache?: PathCheckCache;
}

export interface LoadResult {
  config: SimpoConfig;
  findings: Finding[];
}

export interface Checked extends LoadResult {
  parsed: ParsedConfig;
  origin: Map<string, Entry>;
}

/** The synchronous checks (no disk access). */
export function checkText(text: string, file: string, opts: ValidateOptions = {}): Checked {
  const parsed = parseConfig(text, file);
  const findings: Finding[] = [...parsed.findings];
  const emit: Emit = (f) => findings.push({ file, ...f });
  const { values, origin } = checkKeys(parsed, { noEffectKeys: opts.noEffectKeys ?? true }, emit);
  const config = defaultsFor((values.algorithm as SimpoConfig['algorithm'] | undefined) ?? 'simpo');
  Object.assign(config, values);
  if (parsed.ok) checkCross(parsed, config, origin, { paperRecommendations: opts.paperRecommendations ?? true }, emit);
  attachKeys(parsed, findings);
  findings.sort(compareFindings);
  capFindings(findings, file);
  return { config, findings, parsed, origin };
}

/** All checks, paths on disk included (unless opts.checkPaths is false). */
export async function validateText(text: string, file: string, opts: ValidateOptions = {}): Promise<Checked> {
  const r = checkText(text, file, opts);
  if (r.parsed.ok && opts.checkPaths !== false) {
    await checkPaths(r.parsed, r.config, r.origin, opts, (f) => r.findings.push({ file, ...f }), opts.cache);
    attachKeys(r.parsed, r.findings);
    r.findings.sort(compareFindings);
  }
  return r;
}

/** At most this many findings per file (then one saying how many more there were). */
export const MAX_FINDINGS = 500;

export function capFindings(findings: Finding[], file: string): void {
  if (findings.length <= MAX_FINDINGS) return;
  const more = findings.length - MAX_FINDINGS;
  findings.length = MAX_FINDINGS;
  findings.push({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'information', code: 'too-many-findings', message: `${more} more findings not shown` });
}

/** Sets `key` of each finding to the top-level entry it lies in (by line). */
export function attachKeys(parsed: ParsedConfig, findings: Finding[]): void {
  for (const f of findings) {
    if (f.key !== undefined) continue;
    const off = parsed.lines.offset(f.range.start);
    const e = parsed.entries.find((x) => off >= x.entryStart && off <= x.entryEnd && !(f.range.start.line === 0 && f.range.start.character === 0 && f.code === 'required'));
    if (e) f.key = e.key;
  }
}

export { PathCheckCache };
