// A finding of config validation: where (LSP-style 0-based range), how bad, a stable code, a message, and for
// findings with a quick fix the data the language server turns into an edit.
export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

/** Quick-fix payloads (Finding.data). Values are plain JSON. */
export type FixData =
  /** rename the key (did-you-mean) */
  | { kind: 'rename'; from: string; to: string }
  /** replace an alias entry by these keys and values (alias conversion) */
  | { kind: 'rewrite'; remove: string; set: Array<{ key: string; value: unknown }>; title: string }
  /** set this key's value (clamp into range, a recommended value) */
  | { kind: 'value'; key: string; value: unknown; title: string };

export interface Finding {
  file: string;
  range: Range;
  severity: Severity;
  /** stable identifier, e.g. unknown-key, out-of-range, alias */
  code: string;
  message: string;
  data?: FixData;
  /** the top-level key the finding is on (absent for file-level findings such as YAML errors at the top) */
  key?: string;
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

export function compareFindings(a: Finding, b: Finding): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character
    || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.code.localeCompare(b.code);
}

/** "file:line:col severity code message" (1-based line and column), one line. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.code} ${f.message.replace(/\s*\n\s*/g, ' ')}`;
}
