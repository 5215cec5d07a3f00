import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './util';

const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { commands: { command: string; category: string }[] } } | undefined;

describe('activation', () => {
  it('activates and starts the training server', async () => {
    const a = await api();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.ok(a.client.running, 'the language client is running');
    assert.ok(a.activationMs > 0);
    assert.equal(await vscode.commands.executeCommand('simpo.activationTime'), a.activationMs);
  });

  it('registers every contributed command, each with the SimPO category', async () => {
    await api();
    assert.ok(pkg, 'package.json is readable');
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of pkg.contributes.commands) {
      assert.ok(registered.has(c.command), `${c.command} is registered`);
      assert.equal(c.category, 'SimPO');
    }
  });

  it('shows the Runs view in its own activity-bar container', async () => {
    const a = await api();
    await vscode.commands.executeCommand('workbench.view.extension.simpo');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(a.treeView.visible, true);
  });
});

describe('server crash handling', () => {
  it('restarts after a crash, but gives up after too many crashes in the window', async () => {
    const { RestartLimiter, MAX_RESTARTS, RESTART_WINDOW_MS } = await import('../../../extension/client');
    const { CloseAction } = await import('vscode-languageclient/node');
    const log = (await api()).client.log; // the extension's own channel: a fresh one disposed at once makes the host warn
    let now = 0;
    const limiter = new RestartLimiter(log, () => now);
    for (let i = 0; i < MAX_RESTARTS; i++) { assert.equal(limiter.closed().action, CloseAction.Restart); now += 1000; }
    const last = limiter.closed();
    assert.equal(last.action, CloseAction.DoNotRestart);
    assert.match(last.message ?? '', /crashed 5 times/);
    assert.equal(limiter.stoppedForGood, true);
    // crashes spread wider than the window keep restarting
    const spread = new RestartLimiter(log, () => now);
    for (let i = 0; i < MAX_RESTARTS * 2; i++) { assert.equal(spread.closed().action, CloseAction.Restart); now += RESTART_WINDOW_MS / 2; }
  });
});
