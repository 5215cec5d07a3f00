// `simpo lsp --stdio` as vscode-languageclient starts it (with --clientProcessId): initialize, a run method,
// shutdown and exit over real JSON-RPC framing on the process's stdio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, NODE_ARGS, ROOT, tmp, until } from './helpers';

function frame(msg: unknown): string {
  const body = JSON.stringify(msg);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

test('simpo lsp --stdio --clientProcessId=N serves initialize, listRuns, shutdown and exit', async () => {
  const ws = tmp();
  const child = spawn(process.execPath, [...NODE_ARGS, CLI, 'lsp', '--stdio', `--clientProcessId=${process.pid}`], {
    cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let buf = Buffer.alloc(0);
  const messages: { id?: number; result?: unknown; error?: unknown; method?: string }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) break;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())?.[1]);
      if (buf.length < head + 4 + len) break;
      messages.push(JSON.parse(buf.subarray(head + 4, head + 4 + len).toString()));
      buf = buf.subarray(head + 4 + len);
    }
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const reply = (id: number) => until(`reply ${id}`, () => messages.find((m) => m.id === id), 30_000);

  child.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
    processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null,
    initializationOptions: { runsDir: path.join(ws, '.simpo', 'runs'), cliPath: CLI, trusted: true, workspaceFolder: ws },
  } }));
  const init = (await reply(1)).result as { capabilities: { hoverProvider?: boolean } };
  assert.equal(init.capabilities.hoverProvider, true);
  child.stdin.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
  child.stdin.write(frame({ jsonrpc: '2.0', id: 2, method: 'simpo/listRuns', params: null }));
  assert.deepEqual((await reply(2)).result, []);
  child.stdin.write(frame({ jsonrpc: '2.0', id: 3, method: 'shutdown', params: null }));
  await reply(3);
  child.stdin.write(frame({ jsonrpc: '2.0', method: 'exit', params: null }));
  assert.equal(await exited, 0, stderr);
});

test('simpo lsp refuses transports it does not serve', async () => {
  const child = spawn(process.execPath, [...NODE_ARGS, CLI, 'lsp', '--node-ipc'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 1);
  assert.match(stderr, /^simpo lsp: only --stdio is supported\n/);
});
