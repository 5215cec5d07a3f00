import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { api, waitFor, ws } from './util';

describe('Restricted Mode (untrusted workspace)', () => {
  it('the folder is untrusted and the extension still activates', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await api();
    assert.ok(a.client.running, 'the server runs: validation needs it');
  });

  it('configs are still validated', async () => {
    const file = ws('restricted.simpo.yaml');
    writeFileSync(file, 'algorithm: simpo\nbeta: -3\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('diagnostics in Restricted Mode', () => { const d = vscode.languages.getDiagnostics(doc.uri); return d.length ? d : undefined; });
    assert.ok(diags.some((d) => d.range.start.line === 1));
  });

  it('Start Run does not start a run (and says why)', async () => {
    const file = ws('ok.simpo.yaml');
    writeFileSync(file, 'algorithm: simpo\nbeta: 2.0\n');
    const result = await vscode.commands.executeCommand('simpo.startRun', { configPath: file, openCharts: false });
    assert.equal(result, undefined);
    const runs = ws('.simpo', 'runs');
    assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'no run directory was created');
  });
});
