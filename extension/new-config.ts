// "SimPO: New Config": writes a SimPO or DPO config prefilled with the paper's values next to the workspace's
// configs and opens it (the language server validates it live). Arguments let tests and menus skip the pickers.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { configTemplate, type TemplateAlgorithm } from './templates';

export interface NewConfigArgs { algorithm?: TemplateAlgorithm; path?: string; model?: string; dataset?: string; open?: boolean }

export async function newConfig(args: NewConfigArgs = {}): Promise<vscode.Uri | undefined> {
  let algorithm = args.algorithm;
  if (!algorithm) {
    const pick = await vscode.window.showQuickPick([
      { label: 'SimPO', description: 'reference-free, length-normalized reward (beta 2.5, gamma/beta 0.55)', value: 'simpo' as const },
      { label: 'DPO', description: 'baseline against a frozen reference model (beta 0.01)', value: 'dpo' as const },
    ], { title: 'SimPO: New Config', placeHolder: 'Which objective?' });
    if (!pick) return undefined;
    algorithm = pick.value;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  let target: string;
  if (args.path) target = path.isAbsolute(args.path) || !folder ? args.path : path.join(folder.uri.fsPath, args.path);
  else if (folder) {
    let n = 0;
    do { target = path.join(folder.uri.fsPath, `${algorithm}${n ? `-${n}` : ''}.simpo.yaml`); n++; } while (existsSync(target));
  } else {
    const uri = await vscode.window.showSaveDialog({ filters: { 'SimPO config': ['simpo.yaml'] }, saveLabel: 'Create Config' });
    if (!uri) return undefined;
    target = uri.fsPath;
  }
  const uri = vscode.Uri.file(target);
  const text = configTemplate({ algorithm, model: args.model, dataset: args.dataset, runName: path.basename(target).replace(/\.simpo\.ya?ml$|\.ya?ml$/, '') });
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  if (args.open !== false) await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}
