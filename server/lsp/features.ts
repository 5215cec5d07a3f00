// Hover, completion and code actions over a checked config (pure functions of the text, its parse and findings;
// the server wires them to the connection).
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionKind, CompletionItemKind, DiagnosticSeverity, DiagnosticTag, InsertTextFormat, MarkupKind,
  type CodeAction, type CompletionItem, type Diagnostic, type Hover, type Position, type TextEdit,
} from 'vscode-languageserver';
import type { FixData, Finding } from '../config/findings';
import type { Entry, ParsedConfig } from '../config/parse';
import { ALIAS_BY_NAME, KEY_BY_NAME, KEYS, PAPER_SETTINGS, fmtNum, keyMarkdown, type KeySpec } from '../config/schema';
import type { Checked } from '../config/validate';

// ---------------------------------------------------------------- diagnostics

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding): Diagnostic {
  const d: Diagnostic = { range: f.range, severity: SEVERITY[f.severity], code: f.code, source: 'simpo', message: f.message };
  if (f.data) d.data = f.data;
  if (f.code === 'no-effect') d.tags = [DiagnosticTag.Unnecessary];
  return d;
}

// ---------------------------------------------------------------- positions

const contains = (r: { start: Position; end: Position }, p: Position) =>
  (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character))
  && (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

/** The top-level entry whose key or value covers the position (its lines, for block values). */
export function entryAt(parsed: ParsedConfig, pos: Position): { entry: Entry; onKey: boolean } | undefined {
  const off = parsed.lines.offset(pos);
  for (const e of parsed.entries) {
    if (contains(e.keyRange, pos)) return { entry: e, onKey: true };
    if (off >= e.entryStart && off <= e.entryEnd) return { entry: e, onKey: false };
  }
  return undefined;
}

// ---------------------------------------------------------------- hover

export function hoverAt(c: Checked, pos: Position, configFile?: string): Hover | null {
  const hit = entryAt(c.parsed, pos);
  if (!hit) return null;
  const e = hit.entry;
  const spec = KEY_BY_NAME.get(e.key);
  let md: string;
  if (spec) md = keyMarkdown(spec);
  else {
    const a = ALIAS_BY_NAME.get(e.key);
    if (!a) return null;
    const rw = a.convert(e.value, { beta: c.config.beta, betaWasSet: c.origin.has('beta') });
    const target = KEY_BY_NAME.get(a.target);
    md = [`**${a.name}** _(${a.source}; converted to \`${a.target}\`)_`, '', typeof rw === 'string' ? rw : rw.explain, '', '---', '', target ? keyMarkdown(target) : ''].join('\n').trimEnd();
  }
  if (spec?.path && !hit.onKey && typeof e.value === 'string' && e.value && configFile) {
    const abs = path.resolve(path.dirname(configFile), e.value);
    let what = 'not found here';
    try { const st = fs.statSync(abs); what = st.isDirectory() ? 'a folder' : st.isFile() ? `a file, ${st.size.toLocaleString('en-US')} bytes` : 'not a regular file'; } catch { /* missing */ }
    md = `\`${e.value}\` → \`${abs}\` (${what})\n\n---\n\n${md}`;
  }
  if (spec?.name === 'loss_type' && e.value === 'simpo') md += '\n\n`simpo` here is TRL\'s spelling: it means `algorithm: simpo` with `loss_type: sigmoid`.';
  if (spec?.name === 'gamma_beta_ratio' && typeof c.config.gamma_beta_ratio === 'number' && c.config.algorithm === 'simpo') {
    md += `\n\nWith beta ${fmtNum(c.config.beta)}: γ = ${fmtNum(c.config.beta * c.config.gamma_beta_ratio)}.`;
  }
  return { contents: { kind: MarkupKind.Markdown, value: md }, range: hit.onKey ? e.keyRange : e.valueRange };
}

// ---------------------------------------------------------------- completion

const GROUP_ORDER = ['model', 'data', 'objective', 'optimisation', 'logging', 'run', 'compat'];

function yamlScalar(v: unknown): string {
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'string') {
    return /^[A-Za-z_./][\w./-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) ? v : JSON.stringify(v);
  }
  return JSON.stringify(v);
}

function keySnippet(k: KeySpec): string {
  const esc = (s: string) => s.replace(/[$}\\|,]/g, '\\$&');
  switch (k.type) {
    case 'enum': return `${k.name}: \${1|${k.enum!.map(esc).join(',')}|}`;
    case 'boolean': return `${k.name}: \${1|${k.default === true ? 'true,false' : 'false,true'}|}`;
    case 'string-list': return `${k.name}:\n  - \${1:${esc(String((k.default as string[] | null)?.[0] ?? 'train'))}}`;
    case 'number-map': return `${k.name}:\n  \${1:path/or/org/name}: \${2:1.0}`;
    default: return k.default === null || k.default === '' ? `${k.name}: $1` : `${k.name}: \${1:${esc(yamlScalar(k.default))}}`;
  }
}

const SPECIAL_DIRS = ['/dev', '/proc', '/sys'];

export interface CompletionContext {
  configFile: string;
  workspaceRoots: string[];
}

export function completeAt(c: Checked, pos: Position, ctx: CompletionContext): CompletionItem[] {
  const { lines, text } = c.parsed;
  const lineStart = lines.lineStart(pos.line);
  const before = text.slice(lineStart, lines.offset(pos));
  // a key at the top level
  const km = /^([A-Za-z_][\w.-]*)?$/.exec(before);
  if (km) {
    const present = new Set(c.parsed.entries.filter((e) => e.keyRange.start.line !== pos.line).map((e) => e.key));
    const range = { start: { line: pos.line, character: 0 }, end: pos };
    return KEYS.filter((k) => k.effect === 'used' && !present.has(k.name)).map((k) => ({
      label: k.name,
      kind: CompletionItemKind.Property,
      detail: k.required ? '(required)' : `default ${k.defaultsByAlgorithm ? Object.entries(k.defaultsByAlgorithm).map(([a, v]) => `${a} ${yamlScalar(v)}`).join(', ') : yamlScalar(k.default)}`,
      documentation: { kind: MarkupKind.Markdown, value: keyMarkdown(k) },
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range, newText: keySnippet(k) },
      sortText: `${GROUP_ORDER.indexOf(k.group)}${k.name}`,
      filterText: k.name,
    }));
  }
  // a value of a top-level key
  const vm = /^([A-Za-z_][\w.-]*)[ \t]*:[ \t]*(['"]?)(.*)$/.exec(before);
  // a key inside dataset_mixer (indented map key)
  const mixer = /^[ \t]+(['"]?)([^:'"]*)$/.exec(before);
  if (vm) {
    const spec = KEY_BY_NAME.get(vm[1]);
    if (!spec) return [];
    const typed = vm[3];
    const range = { start: { line: pos.line, character: pos.character - typed.length }, end: pos };
    if (spec.type === 'enum' || spec.type === 'boolean') {
      const values = spec.type === 'enum' ? [...spec.enum!] : ['true', 'false'];
      return values.map((v, i) => ({ label: v, kind: CompletionItemKind.EnumMember, textEdit: { range, newText: v }, sortText: String(i).padStart(2, '0'), detail: v === String(spec.default) ? 'default' : undefined }));
    }
    if (spec.path === 'model' || spec.path === 'dataset' || spec.path === 'checkpoint') return pathItems(spec.path, typed, pos, ctx);
    if (spec.type === 'number' || spec.type === 'integer') {
      const items: CompletionItem[] = [];
      const def = spec.defaultsByAlgorithm?.[c.config.algorithm] ?? spec.default;
      if (def !== null) items.push({ label: yamlScalar(def), kind: CompletionItemKind.Value, detail: 'default', textEdit: { range, newText: yamlScalar(def) }, sortText: '0' });
      // SimPO's own hyperparameters: the paper's values, with the setting each comes from
      if (c.config.algorithm === 'simpo' && (spec.name === 'beta' || spec.name === 'gamma_beta_ratio' || spec.name === 'learning_rate')) {
        const by = new Map<string, string[]>();
        for (const st of PAPER_SETTINGS) {
          const v = yamlScalar(st[spec.name]);
          by.set(v, [...(by.get(v) ?? []), st.setting]);
        }
        for (const [v, settings] of by) {
          if (items.some((i) => i.label === v)) continue;
          items.push({ label: v, kind: CompletionItemKind.Value, detail: `paper: ${settings.join(', ')}`, textEdit: { range, newText: v }, sortText: `1${v}` });
        }
      }
      return items;
    }
    return [];
  }
  if (mixer) {
    // the enclosing top-level entry
    for (let l = pos.line - 1; l >= 0; l--) {
      const t = text.slice(lines.lineStart(l), lines.lineEnd(l));
      if (/^[A-Za-z_]/.test(t)) {
        if (/^dataset_mixer[ \t]*:/.test(t)) return pathItems('dataset', mixer[2], pos, ctx);
        break;
      }
    }
  }
  return [];
}

function pathItems(kind: 'model' | 'dataset' | 'checkpoint', typed: string, pos: Position, ctx: CompletionContext): CompletionItem[] {
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const partial = typed.slice(slash + 1);
  const baseDir = path.dirname(ctx.configFile);
  const dir = path.resolve(baseDir, dirPart || '.');
  if (SPECIAL_DIRS.some((d) => dir === d || dir.startsWith(d + '/'))) return [];
  if (ctx.workspaceRoots.length && !ctx.workspaceRoots.some((r) => !path.relative(r, dir).startsWith('..'))) return [];
  let names: fs.Dirent[];
  try { names = fs.readdirSync(dir, { withFileTypes: true }).slice(0, 1000); } catch { return []; }
  const range = { start: { line: pos.line, character: pos.character - partial.length }, end: pos };
  const items: CompletionItem[] = [];
  for (const d of names) {
    if (d.name.startsWith('.') && !partial.startsWith('.')) continue;
    const full = path.join(dir, d.name);
    let isDir = d.isDirectory();
    if (d.isSymbolicLink()) { try { isDir = fs.statSync(full).isDirectory(); } catch { continue; } }
    if (isDir) {
      const isModel = fs.existsSync(path.join(full, 'config.json'));
      items.push({
        label: d.name + (isModel && kind !== 'dataset' ? '' : '/'), kind: CompletionItemKind.Folder,
        detail: isModel ? 'model folder' : undefined,
        textEdit: { range, newText: isModel && kind !== 'dataset' ? d.name : d.name + '/' },
        sortText: `${isModel && kind !== 'dataset' ? 0 : 1}${d.name}`,
        command: isModel && kind !== 'dataset' ? undefined : { title: 'suggest', command: 'editor.action.triggerSuggest' },
      });
    } else if (kind === 'dataset' && /\.(jsonl|ndjson|json|parquet)$/i.test(d.name)) {
      items.push({ label: d.name, kind: CompletionItemKind.File, textEdit: { range, newText: d.name }, sortText: `0${d.name}` });
    }
  }
  return items;
}

// ---------------------------------------------------------------- code actions

export function fixEdits(fix: FixData, parsed: ParsedConfig): TextEdit[] {
  const { lines, text } = parsed;
  const eolAt = (off: number) => (text.startsWith('\r\n', off) ? 2 : text[off] === '\n' ? 1 : 0);
  const appendLine = (line: string): TextEdit => {
    const end = lines.position(text.length);
    return { range: { start: end, end }, newText: (text.length && !text.endsWith('\n') ? '\n' : '') + line + '\n' };
  };
  switch (fix.kind) {
    case 'rename': {
      const e = parsed.byKey.get(fix.from);
      return e ? [{ range: e.keyRange, newText: fix.to }] : [];
    }
    case 'value': {
      const e = parsed.byKey.get(fix.key);
      if (e && !e.multiline) return [{ range: e.valueRange, newText: yamlScalar(fix.value) }];
      if (e) return [{ range: lines.range(e.entryStart, e.entryEnd), newText: `${fix.key}: ${yamlScalar(fix.value)}` }];
      return [appendLine(`${fix.key}: ${yamlScalar(fix.value)}`)];
    }
    case 'rewrite': {
      const e = parsed.byKey.get(fix.remove);
      if (!e) return [];
      const edits: TextEdit[] = [];
      const newLines: string[] = [];
      for (const s of fix.set) {
        const own = s.key !== fix.remove ? parsed.byKey.get(s.key) : undefined;
        if (own && !own.multiline) edits.push({ range: own.valueRange, newText: yamlScalar(s.value) });
        else if (own) edits.push({ range: lines.range(own.entryStart, own.entryEnd), newText: `${s.key}: ${yamlScalar(s.value)}` });
        else newLines.push(`${s.key}: ${yamlScalar(s.value)}`);
      }
      if (newLines.length) edits.push({ range: lines.range(e.entryStart, e.entryEnd), newText: newLines.join('\n') });
      else edits.push({ range: lines.range(e.entryStart, e.entryEnd + eolAt(e.entryEnd)), newText: '' });
      return edits;
    }
  }
}

export function codeActionsFor(uri: string, parsed: ParsedConfig, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const fix = d.data as FixData | undefined;
    if (d.source !== 'simpo' || !fix || typeof fix !== 'object' || !('kind' in fix)) continue;
    const edits = fixEdits(fix, parsed);
    if (!edits.length) continue;
    const title = fix.kind === 'rename' ? `Rename to ${fix.to}` : fix.title;
    out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fix.kind !== 'value' || d.code === 'out-of-range', edit: { changes: { [uri]: edits } } });
  }
  return out;
}
