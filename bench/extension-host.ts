// Runs inside the extension host for bench/extension-bench.mjs (loaded as the "tests" of the workbench URL):
// activates the extension, reports activate()'s duration and the time until the server answered, opens the charts
// of the benchmark's live run, then waits until the driver says stop.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { SimpoExtensionApi } from '../extension/extension';

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const out = path.join(folder, '.bench');
  mkdirSync(out, { recursive: true });
  const ext = vscode.extensions.getExtension<SimpoExtensionApi>('simpo-studio.simpo-studio')!;
  const api = await ext.activate();
  await api.ready;
  await api.model.waitFor((runs) => runs.some((r) => r.id === 'bench-live'), 30_000);
  // the bundle's load time (read, parse, top-level code), which the host pays before activate(): a fresh copy
  const bundle = path.join(ext.extensionPath, 'out', 'extension.js');
  const req = eval('require') as NodeJS.Require; // the host's own require, not esbuild's
  delete req.cache[req.resolve(bundle)];
  const t0 = performance.now();
  req(bundle);
  const bundleLoadMs = performance.now() - t0;
  writeFileSync(path.join(out, 'host.json'), JSON.stringify({ activationMs: api.activationMs, bundleLoadMs, serverReadyMs: api.readyMs }));
  await vscode.commands.executeCommand('simpo.openCharts', 'bench-live');
  const deadline = Date.now() + 5 * 60_000;
  while (!existsSync(path.join(out, 'stop')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
