// Runs inside the extension host for bench/extension-bench.mjs (loaded as the "tests" of the workbench URL):
// activates the extension, reports activate()'s duration and the time until the server answered, opens the charts
// of the benchmark's live run, then waits until the driver says stop.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { SimpoExtensionApi } from '../extension/extension';

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const out = path.join(folder, '.bench');
  mkdirSync(out, { recursive: true });
  const ext = vscode.extensions.getExtension<SimpoExtensionApi>('simpo-studio.simpo-studio')!;
  const api = await ext.activate();
  await api.ready;
  await api.model.waitFor((runs) => runs.some((r) => r.id === 'bench-live'), 30_000);
  writeFileSync(path.join(out, 'host.json'), JSON.stringify({ activationMs: api.activationMs, serverReadyMs: api.readyMs }));
  await vscode.commands.executeCommand('simpo.openCharts', 'bench-live');
  const deadline = Date.now() + 5 * 60_000;
  while (!existsSync(path.join(out, 'stop')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
