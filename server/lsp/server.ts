// The training server's language server: config validation (diagnostics pushed, lightly debounced), hover,
// completion and quick fixes for training configs, and the run methods (./runs-methods.ts). Started by the
// extension over stdio (`simpo lsp --stdio`). Hostile input never stops it: every handler is guarded, configs over
// a size limit are not parsed, YAML aliases are capped, paths to devices or outside the workspace are not read.
import * as path from 'node:path';
import {
  createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, TextDocuments, TextDocumentSyncKind,
  DiagnosticSeverity, CodeActionKind, DidChangeWatchedFilesNotification, type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { MAX_CONFIG_BYTES } from '../config/parse';
import { attachKeys, checkText, PathCheckCache, type Checked } from '../config/validate';
import { checkPaths } from '../config/rules/paths';
import { compareFindings } from '../config/findings';
import { codeActionsFor, completeAt, hoverAt, toDiagnostic } from './features';
import { RunMethods, type RunMethodsOptions } from './runs-methods';
import { isConfigDocument, uriPath } from './select';
import { DEFAULT_SETTINGS, toSettings, type ServerSettings } from './settings';

export interface ServerInitOptions extends RunMethodsOptions {
  workspaceFolder?: string;
  configGlobs?: string[];
  /** debounce of validation after a change, ms (default 2) */
  debounceMs?: number;
}

interface DocState {
  version: number;
  checked?: Checked;
  isConfig: boolean;
  published: boolean;
}

export function startLanguageServer(connection: Connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout))): Connection {
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocState>();
  const timers = new Map<string, NodeJS.Timeout>();
  const settingsCache = new Map<string, Promise<ServerSettings>>();
  const pathCache = new PathCheckCache();
  let init: ServerInitOptions = {};
  let roots: string[] = [];
  let canPullConfig = false;
  let canWatchFiles = false;
  let globalSettings: ServerSettings = DEFAULT_SETTINGS;
  let runs: RunMethods | undefined;

  const log = (m: string) => { try { connection.console.error(m); } catch { /* closed */ } };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    init = (params.initializationOptions ?? {}) as ServerInitOptions;
    const folders = params.workspaceFolders?.map((f) => uriPath(f.uri)) ?? [];
    if (!folders.length && params.rootUri) folders.push(uriPath(params.rootUri));
    if (typeof init.workspaceFolder === 'string' && init.workspaceFolder) folders.push(init.workspaceFolder);
    roots = [...new Set(folders.map((f) => path.resolve(f)))];
    canPullConfig = !!params.capabilities.workspace?.configuration;
    canWatchFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    if (Array.isArray(init.configGlobs)) globalSettings = toSettings({ configGlobs: init.configGlobs });
    runs = new RunMethods(connection, { runsDir: init.runsDir, cliPath: init.cliPath, trusted: init.trusted, nodeArgs: init.nodeArgs });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':', ' ', '/'], resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'simpo-training-server' },
    };
  });

  connection.onInitialized(() => {
    try { runs?.watch(); } catch (e) { log(`runs: ${(e as Error).message}`); }
    // models and datasets appearing or changing on disk re-validate the open configs that name them
    if (canWatchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{jsonl,ndjson,json,parquet,safetensors}' }, { globPattern: '**/' }],
      }).catch((e: unknown) => log(`file watchers: ${(e as Error).message}`));
    }
  });

  let watchTimer: NodeJS.Timeout | undefined;
  connection.onDidChangeWatchedFiles(() => {
    if (watchTimer) clearTimeout(watchTimer);
    watchTimer = setTimeout(() => {
      watchTimer = undefined;
      for (const d of documents.all()) if (states.get(d.uri)?.isConfig) schedule(d.uri, 0);
    }, 100);
  });

  connection.onDidChangeConfiguration((change) => {
    settingsCache.clear();
    const s = (change.settings as { simpo?: unknown } | undefined)?.simpo;
    if (s !== undefined) globalSettings = toSettings(s, init.configGlobs ?? DEFAULT_SETTINGS.configGlobs);
    for (const d of documents.all()) schedule(d.uri, 0);
  });

  function settingsFor(uri: string): Promise<ServerSettings> {
    if (!canPullConfig) return Promise.resolve(globalSettings);
    let p = settingsCache.get(uri);
    if (!p) {
      p = connection.workspace.getConfiguration({ scopeUri: uri, section: 'simpo' })
        .then((s: unknown) => (s == null ? globalSettings : toSettings(s, init.configGlobs ?? DEFAULT_SETTINGS.configGlobs)), () => globalSettings);
      settingsCache.set(uri, p);
    }
    return p;
  }

  function schedule(uri: string, delay = init.debounceMs ?? 2): void {
    const t = timers.get(uri);
    if (t) clearTimeout(t);
    timers.set(uri, setTimeout(() => { timers.delete(uri); void validate(uri); }, delay));
  }

  async function validate(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    const version = doc.version;
    try {
      const settings = await settingsFor(uri);
      const text = doc.getText();
      const st: DocState = states.get(uri) ?? { version, isConfig: false, published: false };
      states.set(uri, st);
      st.version = version;
      st.isConfig = isConfigDocument(uri, doc.languageId, text, settings.configGlobs);
      if (!st.isConfig || !settings.enabled) {
        st.checked = undefined;
        if (st.published) { st.published = false; await connection.sendDiagnostics({ uri, diagnostics: [] }); }
        return;
      }
      const file = uriPath(uri);
      if (text.length > MAX_CONFIG_BYTES || Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
        st.checked = undefined;
        st.published = true;
        await connection.sendDiagnostics({ uri, version, diagnostics: [{
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'simpo', code: 'too-large',
          message: `this file is ${(Buffer.byteLength(text, 'utf8') / 1048576).toFixed(1)} MB, over the ${MAX_CONFIG_BYTES / 1024} KB limit of a training config: not validated`,
        }] });
        return;
      }
      const opts = { paperRecommendations: settings.paperRecommendations, noEffectKeys: settings.noEffectKeys, workspaceRoots: roots, cache: pathCache };
      const checked = checkText(text, file, opts);
      if (checked.parsed.ok && uri.startsWith('file:')) {
        await checkPaths(checked.parsed, checked.config, checked.origin, opts, (f) => checked.findings.push({ file, ...f }), pathCache);
        attachKeys(checked.parsed, checked.findings);
        checked.findings.sort(compareFindings);
      }
      if (documents.get(uri)?.version !== version) return; // a newer change is scheduled
      st.checked = checked;
      st.published = true;
      await connection.sendDiagnostics({ uri, version, diagnostics: checked.findings.map(toDiagnostic) });
    } catch (e) {
      log(`validating ${uri}: ${(e as Error).stack ?? e}`);
    }
  }

  /** The checked state of a config document, computed now if a validation is still pending. */
  async function checkedFor(uri: string): Promise<Checked | undefined> {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const st = states.get(uri);
    if (st?.checked && st.version === doc.version) return st.checked;
    const settings = await settingsFor(uri);
    const text = doc.getText();
    if (!isConfigDocument(uri, doc.languageId, text, settings.configGlobs) || text.length > MAX_CONFIG_BYTES) return undefined;
    return checkText(text, uriPath(uri), { paperRecommendations: settings.paperRecommendations, noEffectKeys: settings.noEffectKeys });
  }

  documents.onDidOpen((e) => schedule(e.document.uri, 0));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    const t = timers.get(uri);
    if (t) clearTimeout(t);
    timers.delete(uri);
    const st = states.get(uri);
    states.delete(uri);
    settingsCache.delete(uri);
    if (st?.published) void connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
  });

  connection.onHover(async (p) => {
    try {
      const c = await checkedFor(p.textDocument.uri);
      return c ? hoverAt(c, p.position, uriPath(p.textDocument.uri)) : null;
    } catch (e) { log(`hover: ${(e as Error).message}`); return null; }
  });

  connection.onCompletion(async (p) => {
    try {
      const c = await checkedFor(p.textDocument.uri);
      return c ? completeAt(c, p.position, { configFile: uriPath(p.textDocument.uri), workspaceRoots: roots }) : [];
    } catch (e) { log(`completion: ${(e as Error).message}`); return []; }
  });

  connection.onCodeAction(async (p) => {
    try {
      const c = await checkedFor(p.textDocument.uri);
      return c ? codeActionsFor(p.textDocument.uri, c.parsed, p.context.diagnostics) : [];
    } catch (e) { log(`code actions: ${(e as Error).message}`); return []; }
  });

  connection.onShutdown(() => { runs?.dispose(); for (const t of timers.values()) clearTimeout(t); });

  documents.listen(connection);
  connection.listen();
  return connection;
}
