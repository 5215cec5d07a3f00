// "SimPO: Open Example": copies the embedded default (examples/: config, dataset, tiny model) into the workspace
// and opens its config, so a first run is one command away.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';

export const EXAMPLE_FOLDER = 'simpo-example';

/** The first config (*.simpo.yaml, else *.yaml) under dir, breadth-first. */
export function findConfig(dir: string): string | undefined {
  const queue = [dir];
  const yamls: string[] = [];
  while (queue.length) {
    const d = queue.shift()!;
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) { if (name !== 'node_modules') queue.push(p); }
      else if (/\.simpo\.ya?ml$/.test(name)) return p;
      else if (/\.ya?ml$/.test(name)) yamls.push(p);
    }
  }
  return yamls[0];
}

export interface OpenExampleArgs { target?: string; overwrite?: boolean; open?: boolean }

export async function openExample(context: vscode.ExtensionContext, args: OpenExampleArgs = {}): Promise<vscode.Uri | undefined> {
  // SIMPO_EXAMPLES_DIR: a development override of the embedded example (like SIMPO_SERVER_PATH for the server)
  const source = process.env.SIMPO_EXAMPLES_DIR || context.asAbsolutePath('examples');
  if (!existsSync(source) || !readdirSync(source).length) {
    void vscode.window.showErrorMessage(`SimPO: the embedded example is missing from ${source}; reinstall the extension.`);
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  let target = args.target;
  if (!target) {
    if (!folder) {
      void vscode.window.showErrorMessage('SimPO: open a folder first; the example is copied into the workspace.');
      return undefined;
    }
    target = path.join(folder.uri.fsPath, EXAMPLE_FOLDER);
  }
  if (!existsSync(target) || args.overwrite) {
    cpSync(source, target, { recursive: true, force: !!args.overwrite, filter: (src) => !/\.(ts|map)$/.test(src) });
  }
  const config = findConfig(target);
  if (!config) {
    void vscode.window.showErrorMessage(`SimPO: no config (*.simpo.yaml) in ${target}.`);
    return undefined;
  }
  const uri = vscode.Uri.file(config);
  if (args.open !== false) await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}
