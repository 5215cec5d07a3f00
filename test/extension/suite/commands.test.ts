import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { api, waitFor, ws } from './util';

describe('commands without a run', () => {
  before(api);

  it('New Config writes a DPO config with the paper\'s values and opens it', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('simpo.newConfig', { algorithm: 'dpo', path: 'dpo-test.simpo.yaml' });
    assert.ok(uri && existsSync(uri.fsPath));
    const text = readFileSync(uri.fsPath, 'utf8');
    assert.match(text, /^algorithm: dpo$/m);
    assert.match(text, /^beta: 0\.01\b/m);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
  });

  it('New Config writes a SimPO config (beta 2.5, gamma/beta 0.55)', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('simpo.newConfig', { algorithm: 'simpo', path: 'simpo-test.simpo.yaml', open: false });
    const text = readFileSync(uri.fsPath, 'utf8');
    assert.match(text, /^algorithm: simpo$/m);
    assert.match(text, /^beta: 2\.5\b/m);
    assert.match(text, /^gamma_beta_ratio: 0\.55\b/m);
  });

  it('diagnostics arrive for a bad config, at the offending key', async () => {
    const file = ws('bad.simpo.yaml');
    writeFileSync(file, 'algorithm: simpo\nbeta: -3\nlearning_rate: fast\nnot_a_key: 1\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('diagnostics for bad.simpo.yaml', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length >= 2 ? d : undefined;
    });
    const lines = new Set(diags.map((d) => d.range.start.line));
    assert.ok(lines.has(1), `a diagnostic on line 2 (beta: -3); got ${JSON.stringify(diags.map((d) => [d.range.start.line, d.message]))}`);
    assert.ok(lines.has(2), 'a diagnostic on line 3 (learning_rate: fast)');
    assert.ok(diags.some((d) => d.severity === vscode.DiagnosticSeverity.Error));
  });

  it('diagnostics clear once the config is fixed', async () => {
    const file = ws('bad.simpo.yaml');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    // a complete config: the example's model and data (the suites' workspace holds the example in example/)
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), 'algorithm: simpo\nmodel_name_or_path: example/model\ndataset: example/data/arith_prefs.jsonl\nbeta: 2.0\n'));
    await waitFor('bad.simpo.yaml to validate', () => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length === 0)
      .catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(vscode.languages.getDiagnostics(doc.uri).map((d) => [d.range.start.line, d.message]))}`); });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Open Example copies the example into the workspace and opens its config', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('simpo.openExample', { target: ws('opened-example') });
    assert.ok(uri, 'a config uri');
    assert.ok(uri.fsPath.startsWith(ws('opened-example')));
    assert.match(uri.fsPath, /\.ya?ml$/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
  });

  it('Show Server Log and Refresh Runs work', async () => {
    await vscode.commands.executeCommand('simpo.showLog');
    const ids = await vscode.commands.executeCommand<string[]>('simpo.refreshRuns');
    assert.ok(Array.isArray(ids));
  });
});
