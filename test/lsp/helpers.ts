// A real LSP client for the tests: spawns the language server process (node --import tsx server/lsp/stdio-entry.ts)
// and speaks JSON-RPC to it over stdio with vscode-jsonrpc's node client. Answers workspace/configuration with the
// settings a test gives, and collects publishDiagnostics.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

/** The repository root: the nearest folder above this file (or its bundle in out/) with a package.json. */
function findRoot(start: string): string {
  let d = start;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}
export const ROOT = findRoot(__dirname);

export interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number; code?: string | number; message: string; source?: string; data?: unknown; tags?: number[];
}
export interface Published { uri: string; version?: number; diagnostics: Diag[] }

export interface ClientOptions {
  workspace?: string;
  /** the `simpo` section returned to workspace/configuration (undefined: the client lacks that capability) */
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
  /** the client can register file watchers (workspace/didChangeWatchedFiles dynamic registration) */
  watchFiles?: boolean;
  /** the server command (default: node --import tsx server/lsp/stdio-entry.ts) */
  command?: string[];
}

export class LspClient {
  readonly conn: MessageConnection;
  readonly proc: ChildProcess;
  readonly published: Published[] = [];
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  stderr = '';
  settings: Record<string, unknown> | undefined;
  configRequests = 0;
  readonly registrations: string[] = [];
  private waiters: Array<() => void> = [];
  private versions = new Map<string, number>();
  exited = false;

  constructor(private readonly opts: ClientOptions = {}) {
    this.settings = opts.settings;
    const argv = opts.command ?? ['--import', 'tsx', path.join(ROOT, 'server', 'lsp', 'stdio-entry.ts')];
    this.proc = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => { this.stderr += String(d); });
    this.proc.on('exit', () => { this.exited = true; this.wake(); });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Published) => { this.published.push(p); this.wake(); });
    this.conn.onNotification((method: string, params: unknown) => { this.notifications.push({ method, params }); this.wake(); });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => { this.configRequests++; return p.items.map(() => this.settings ?? null); });
    this.conn.onRequest('client/registerCapability', (p: { registrations: Array<{ method: string }> }) => { this.registrations.push(...p.registrations.map((r) => r.method)); this.wake(); return null; });
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.listen();
  }

  private wake(): void { for (const w of this.waiters.splice(0)) w(); }

  async initialize(): Promise<{ capabilities: Record<string, unknown> }> {
    const ws = this.opts.workspace;
    const r = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: ws ? pathToFileURL(ws).href : null,
      workspaceFolders: ws ? [{ uri: pathToFileURL(ws).href, name: 'ws' }] : null,
      capabilities: { workspace: { configuration: this.opts.settings !== undefined, didChangeWatchedFiles: { dynamicRegistration: !!this.opts.watchFiles } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions: this.opts.initializationOptions ?? {},
    });
    await this.conn.sendNotification('initialized', {});
    return r as { capabilities: Record<string, unknown> };
  }

  uri(file: string): string { return pathToFileURL(file).href; }

  async open(file: string, text: string, languageId = 'yaml'): Promise<string> {
    const uri = this.uri(file);
    this.versions.set(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** A full-text replacement, or ranged edits (incremental sync). */
  async change(uri: string, changes: Array<{ text: string; range?: Diag['range'] }>): Promise<number> {
    const v = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, v);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: changes });
    return v;
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The next diagnostics for uri published after `since` (an index into published), optionally of a version. */
  async diagnostics(uri: string, opts: { since?: number; version?: number; timeoutMs?: number } = {}): Promise<Diag[]> {
    const since = opts.since ?? 0;
    const deadline = Date.now() + (opts.timeoutMs ?? 15000);
    for (;;) {
      const hit = this.published.slice(since).reverse().find((p) => p.uri === uri && (opts.version === undefined || p.version === opts.version));
      if (hit) return hit.diagnostics;
      if (this.exited) throw new Error(`server exited; stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no diagnostics for ${uri}${opts.version !== undefined ? ` version ${opts.version}` : ''}; stderr:\n${this.stderr}`);
      await new Promise<void>((res) => { const t = setTimeout(res, left); this.waiters.push(() => { clearTimeout(t); res(); }); });
    }
  }

  async waitFor<T>(f: () => T | undefined, timeoutMs = 15000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = f();
      if (v !== undefined) return v;
      if (this.exited) throw new Error(`server exited; stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting');
      await new Promise<void>((res) => { const t = setTimeout(res, Math.min(left, 200)); this.waiters.push(() => { clearTimeout(t); res(); }); });
    }
  }

  request<T>(method: string, params: unknown): Promise<T> { return this.conn.sendRequest(method, params) as Promise<T>; }

  async shutdown(): Promise<void> {
    try {
      if (!this.exited) {
        await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        await this.conn.sendNotification('exit');
      }
    } catch { /* already gone */ }
    await new Promise<void>((res) => { if (this.exited) res(); else { const t = setTimeout(() => { this.proc.kill(); res(); }, 3000); this.proc.on('exit', () => { clearTimeout(t); res(); }); } });
    this.conn.dispose();
  }
}

export function tempWorkspace(prefix = 'simpo-lsp-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** A minimal valid model folder and dataset in `dir` (format checks only: files exist, config.json parses). */
export function writeModelAndData(dir: string): void {
  fs.mkdirSync(path.join(dir, 'model'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'model', 'config.json'), JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'] }));
  fs.writeFileSync(path.join(dir, 'model', 'model.safetensors'), Buffer.alloc(16));
  fs.writeFileSync(path.join(dir, 'model', 'tokenizer.json'), '{}');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const rows = [
    { prompt: 'What is 2+2?', chosen: '4', rejected: '5' },
    { prompt: 'Capital of France?', chosen: 'Paris', rejected: 'Rome' },
  ];
  fs.writeFileSync(path.join(dir, 'data', 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/** The line and column of the n-th occurrence of `needle` in `text` (0-based). */
export function find(text: string, needle: string, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = text.indexOf(needle, at + 1); if (at < 0) throw new Error(`"${needle}" not in text`); }
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, character: at - (before.lastIndexOf('\n') + 1) };
}
