// YAML text -> the top-level entries of a config, each with the source ranges of its key and value, using the
// `yaml` package's CST-backed document (unique keys, aliases expanded with a low cap to defuse alias bombs).
import { isAlias, isMap, isPair, isScalar, parseDocument, type Document, type Node } from 'yaml';
import type { Finding, Position, Range } from './findings';

/** Above this many bytes a config is not parsed at all (a config is a page of keys, not megabytes). */
export const MAX_CONFIG_BYTES = 64 * 1024;
/** Aliases expanded per value; YAML alias bombs need thousands. */
export const MAX_ALIAS_COUNT = 100;
/** Items of one list or map value that are looked at (a dataset_mixer of thousands of datasets is not a config). */
export const MAX_ITEMS = 1000;
/** Deeper nesting is not parsed (a config is two levels deep; the YAML parser's recursion is not made for 10^4). */
export const MAX_NESTING = 64;

/**
 * The deepest nesting of a YAML text, estimated without parsing: flow brackets outside quotes and comments, plus
 * block indentation levels (and "- - -" sequences opened on one line). Returns the depth and where it was reached.
 */
export function nestingDepth(text: string, stopAt = MAX_NESTING): { depth: number; offset: number } {
  let flow = 0, best = 0, at = 0;
  const indents: number[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    // start of a line: block indentation
    let ind = 0;
    while (i + ind < n && text.charCodeAt(i + ind) === 32) ind++;
    let j = i + ind;
    const blank = j >= n || text[j] === '\n' || text[j] === '\r' || text[j] === '#';
    if (!blank && flow === 0) {
      while (indents.length && indents[indents.length - 1] >= ind) indents.pop();
      indents.push(ind);
      let dashes = 0;
      while (text[j] === '-' && (text[j + 1] === ' ' || text[j + 1] === '\t')) { dashes++; j += 2; while (text[j] === ' ') j++; }
      const d = indents.length + dashes;
      if (d > best) { best = d; at = i; }
    }
    let q: string | undefined;
    for (; j < n && text[j] !== '\n'; j++) {
      const c = text[j];
      if (q) { if (c === q) q = undefined; else if (c === '\\' && q === '"') j++; continue; }
      if (c === '"' || c === "'") { const prev = text[j - 1]; if (j === i || prev === ' ' || prev === '[' || prev === '{' || prev === ',' || prev === ':') q = c; continue; }
      if (c === '#' && (j === i || text[j - 1] === ' ')) { while (j < n && text[j] !== '\n') j++; break; }
      if (c === '[' || c === '{') { flow++; const d = indents.length + flow; if (d > best) { best = d; at = j; } }
      else if ((c === ']' || c === '}') && flow > 0) flow--;
      if (best > stopAt) return { depth: best, offset: at };
    }
    if (best > stopAt) return { depth: best, offset: at };
    i = j + 1;
  }
  return { depth: best, offset: at };
}

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  get lineCount(): number { return this.starts.length; }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }
  offset(p: Position): number {
    const line = Math.max(0, Math.min(p.line, this.starts.length - 1));
    return Math.min(this.starts[line] + p.character, this.text.length);
  }
  range(start: number, end: number): Range { return { start: this.position(start), end: this.position(end) }; }
  lineStart(line: number): number { return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))]; }
  /** offset of the end of `line` (before its newline) */
  lineEnd(line: number): number {
    if (line + 1 < this.starts.length) return this.starts[line + 1] - 1 - (this.text.charCodeAt(this.starts[line + 1] - 2) === 13 ? 1 : 0);
    return this.text.length;
  }
}

export interface Entry {
  key: string;
  keyRange: Range;
  /** the value's range; for an empty value (`key:`), an empty range just after the colon */
  valueRange: Range;
  /** offsets of the whole entry, from the key's line start to the end of the value's last line */
  entryStart: number;
  entryEnd: number;
  /** the value as JS (aliases expanded), or undefined when it could not be converted */
  value: unknown;
  /** the value is written as a block (nested map/list) */
  multiline: boolean;
  /** for mapping values: the ranges of their keys (dataset_mixer paths) */
  mapKeys?: Array<{ key: string; range: Range; value: unknown }>;
  /** for list values: each item's range */
  items?: Array<{ range: Range; value: unknown }>;
}

export interface ParsedConfig {
  file: string;
  text: string;
  lines: LineIndex;
  entries: Entry[];
  byKey: Map<string, Entry>;
  findings: Finding[];
  /** false when the text is not a mapping (or could not be parsed at all) */
  ok: boolean;
  /** YAML syntax errors found (the document may be incomplete: required-key checks are skipped) */
  syntaxErrors: number;
}

const wholeFile = (lines: LineIndex): Range => lines.range(0, Math.min(lines.text.length, lines.lineEnd(0)));

export function parseConfig(text: string, file: string): ParsedConfig {
  const lines = new LineIndex(text);
  const out: ParsedConfig = { file, text, lines, entries: [], byKey: new Map(), findings: [], ok: false, syntaxErrors: 0 };
  const err = (range: Range, code: string, message: string) => out.findings.push({ file, range, severity: 'error', code, message });
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    err(wholeFile(lines), 'too-large', `the config is ${(Buffer.byteLength(text, 'utf8') / 1048576).toFixed(1)} MB: over the ${MAX_CONFIG_BYTES / 1024} KB limit for a config file, not read`);
    return out;
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    err(lines.range(nul, nul + 1), 'binary', 'the file holds binary content (a NUL byte): a config must be YAML text');
    return out;
  }
  const deep = nestingDepth(text);
  if (deep.depth > MAX_NESTING) {
    err(lines.range(deep.offset, deep.offset + 1), 'too-deep', `nesting deeper than ${MAX_NESTING} levels: a config is a flat mapping of keys (with small lists and maps); not parsed`);
    return out;
  }
  let doc: Document.Parsed;
  try {
    // uniqueKeys is checked below with a Set: the yaml package's check is quadratic in the number of keys
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, strict: true, keepSourceTokens: false });
  } catch (e) {
    err(wholeFile(lines), 'yaml-syntax', `the YAML could not be parsed: ${(e as Error).message}`);
    return out;
  }
  out.syntaxErrors = doc.errors.length;
  for (const e of doc.errors) {
    const [s, en] = e.pos;
    err(lines.range(s, Math.max(en, s + 1)), e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax', cleanYamlMessage(e.message));
  }
  for (const w of doc.warnings) {
    out.findings.push({ file, range: lines.range(w.pos[0], Math.max(w.pos[1], w.pos[0] + 1)), severity: 'warning', code: 'yaml-warning', message: cleanYamlMessage(w.message) });
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) {
    out.ok = doc.errors.length === 0;
    return out;
  }
  if (!isMap(root)) {
    const r = (root as Node).range ?? [0, 0, 0];
    err(lines.range(r[0], Math.max(r[1], r[0] + 1)), 'not-a-mapping', 'a config must be a YAML mapping of keys to values (key: value lines)');
    return out;
  }
  for (const pair of root.items) {
    if (!isPair(pair)) continue;
    const k = pair.key as Node | null;
    if (!k || !k.range) continue;
    const keyName = isScalar(k) ? String(k.value) : undefined;
    const keyRange = lines.range(k.range[0], k.range[1]);
    if (keyName === undefined) {
      err(keyRange, 'bad-key', 'keys must be plain names (not lists or mappings)');
      continue;
    }
    const v = pair.value as Node | null;
    const valueStart = v?.range ? v.range[0] : k.range[1] + 1;
    const valueEnd = v?.range ? v.range[1] : valueStart;
    // an empty value: place the range just after "key:"
    const vs = v?.range ? valueStart : Math.min(text.indexOf(':', k.range[1]) + 1 || k.range[1], text.length);
    const valueRange = lines.range(vs, v?.range ? valueEnd : vs);
    let value: unknown;
    try {
      value = v === null ? null : (v as Node & { toJS(d: Document, o: object): unknown }).toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      err(valueRange, 'yaml-alias', `\`${keyName}\`: ${/alias/i.test((e as Error).message) ? `too many YAML aliases (over ${MAX_ALIAS_COUNT}): looks like an alias bomb, not read` : (e as Error).message}`);
      value = undefined;
    }
    const keyLine = keyRange.start.line;
    const endLine = lines.position(Math.max(valueEnd - 1, k.range[1])).line;
    const entry: Entry = {
      key: keyName, keyRange, valueRange, value,
      entryStart: lines.lineStart(keyLine), entryEnd: lines.lineEnd(endLine),
      multiline: endLine > keyLine,
    };
    if (v && isMap(v) && !isAlias(v)) {
      entry.mapKeys = [];
      const seen = new Set<string>();
      if (v.items.length > MAX_ITEMS) err(valueRange, 'too-many-items', `\`${keyName}\` has ${v.items.length} entries: only the first ${MAX_ITEMS} are checked`);
      for (const p of v.items.slice(0, MAX_ITEMS)) {
        const kk = p.key as Node | null;
        if (isPair(p) && kk && isScalar(kk) && kk.range) {
          let vv: unknown;
          try { vv = (p.value as Node & { toJS(d: Document, o: object): unknown } | null)?.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) ?? null; } catch { vv = undefined; }
          const mk = { key: String(kk.value), range: lines.range(kk.range[0], kk.range[1]), value: vv };
          if (seen.has(mk.key)) err(mk.range, 'duplicate-key', `duplicate key \`${mk.key}\` in \`${keyName}\``);
          seen.add(mk.key);
          entry.mapKeys.push(mk);
        }
      }
    } else if (v && 'items' in v && Array.isArray((v as { items: unknown[] }).items)) {
      entry.items = [];
      const all = (v as unknown as { items: Node[] }).items;
      if (all.length > MAX_ITEMS) err(valueRange, 'too-many-items', `\`${keyName}\` has ${all.length} items: only the first ${MAX_ITEMS} are checked`);
      for (const it of all.slice(0, MAX_ITEMS)) {
        if (it && it.range) {
          let iv: unknown;
          try { iv = (it as Node & { toJS(d: Document, o: object): unknown }).toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }); } catch { iv = undefined; }
          entry.items.push({ range: lines.range(it.range[0], it.range[1]), value: iv });
        }
      }
    }
    out.entries.push(entry);
    if (!out.byKey.has(keyName)) out.byKey.set(keyName, entry);
    else err(keyRange, 'duplicate-key', `duplicate key \`${keyName}\`: it is already set on line ${out.byKey.get(keyName)!.keyRange.start.line + 1}`);
  }
  out.ok = true;
  return out;
}

function cleanYamlMessage(m: string): string {
  return m.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
}
