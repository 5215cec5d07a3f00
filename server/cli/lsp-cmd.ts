// `simpo lsp --stdio`: the language server (config features + run methods) as the extension starts it.
// vscode-languageclient appends `--stdio` and `--clientProcessId=N` to the arguments; both are accepted.
// stdout carries the protocol, so anything printed with console.log goes to stderr instead.
import { startLanguageServer } from '../lsp/server';
import { parse } from './args';
import { UsageError } from './errors';

export function lspCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    stdio: { type: 'boolean' },
    clientProcessId: { type: 'string' },
    'node-ipc': { type: 'boolean' },
    socket: { type: 'string' },
    pipe: { type: 'string' },
  }, [0, 0], 'simpo lsp');
  if (values['node-ipc'] || values.socket || values.pipe) throw new UsageError('simpo lsp: only --stdio is supported');
  console.log = console.error;
  console.info = console.error;
  process.on('uncaughtException', (e) => process.stderr.write(`simpo lsp: uncaught ${(e as Error).stack ?? e}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`simpo lsp: unhandled ${(e as Error)?.stack ?? e}\n`));
  const connection = startLanguageServer();
  // the server lives until the client closes the connection (vscode-languageserver exits on `exit`)
  return new Promise<number>((resolve) => connection.onExit(() => resolve(0)));
}
