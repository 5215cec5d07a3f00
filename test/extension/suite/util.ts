// Helpers for the extension suites: the activated API, workspace paths, waiting for a condition.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { SimpoExtensionApi } from '../../../extension/extension';

export const EXTENSION_ID = 'simpo-studio.simpo-studio';

export async function api(): Promise<SimpoExtensionApi> {
  const ext = vscode.extensions.getExtension<SimpoExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const a = await ext.activate();
  await a.ready;
  return a;
}

export function ws(...p: string[]): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suites need a workspace folder');
  return path.join(folder.uri.fsPath, ...p);
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
