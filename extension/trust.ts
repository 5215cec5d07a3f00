// Workspace trust is "limited": configs are validated in Restricted Mode, but a run executes code and reads
// paths from the workspace, so it starts only in a trusted workspace. This says why, and offers to manage trust.
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE = 'SimPO runs start only in a trusted workspace: a run reads models and datasets named by the config and writes to the disk. Validation keeps working in Restricted Mode.';

/** True when runs may start; otherwise shows why (without waiting on the user) and returns false. */
export function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

export function registerTrust(context: vscode.ExtensionContext, onTrusted: () => void): void {
  void vscode.commands.executeCommand('setContext', 'simpo.trusted', vscode.workspace.isTrusted);
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    void vscode.commands.executeCommand('setContext', 'simpo.trusted', true);
    onTrusted();
  }));
}
