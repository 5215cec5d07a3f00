// Runs the language server over stdio: node --import tsx server/lsp/stdio-entry.ts (tests, development);
// the bundled CLI does the same for `simpo lsp --stdio`. stdout carries the protocol, so logs go to stderr.
import { startLanguageServer } from './server';

console.log = console.error;
console.info = console.error;
process.on('uncaughtException', (e) => process.stderr.write(`simpo lsp: uncaught ${(e as Error).stack ?? e}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`simpo lsp: unhandled ${(e as Error)?.stack ?? e}\n`));
startLanguageServer();
