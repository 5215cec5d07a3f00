import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StartRunResult } from '../../../server/protocol/lsp';
import { findConfig } from '../../../extension/example';
import { spawn } from 'node:child_process';
import { api, waitFor, ws, EXTENSION_ID } from './util';

const RUN_TIMEOUT = 180_000;

function findFile(dir: string, re: RegExp): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { const f = findFile(p, re); if (f) return f; } else if (re.test(e.name) && !e.name.startsWith('.')) return p;
  }
  return undefined;
}

describe('a real run of the tiny example', function () {
  this.timeout(RUN_TIMEOUT + 30_000);
  let config: string;
  let first: StartRunResult;

  before(async () => {
    await api();
    const c = findConfig(ws('example'));
    assert.ok(c, 'the example config is in the workspace');
    config = c;
  });

  it('Start Run starts it; the tree shows it spinning with step/total, then completed', async () => {
    const a = await api();
    const seen: string[] = [];
    const bar: string[] = [];
    const sub = a.model.onDidChange(() => {
      for (const item of a.tree.getChildren()) if (item.run.id === first?.run.id) seen.push(`${item.run.status}|${String(item.description)}|${(item.iconPath as vscode.ThemeIcon).id}`);
      bar.push(a.statusBar.item.text);
    });
    try {
      // with its progress notification, as a user would start it
      first = (await vscode.commands.executeCommand<StartRunResult>('simpo.startRun', { configPath: config, name: 'suite-first', openCharts: false }))!;
      assert.ok(first?.run?.id, 'startRun returned the run');
      const items = await waitFor('the run in the tree', () => a.tree.getChildren().find((i) => i.run.id === first.run.id));
      assert.equal(items.contextValue?.startsWith('run.'), true);
      assert.equal(items.id, first.run.id, 'stable id: the run id');
      const done = await a.model.waitFor((runs) => runs.some((r) => r.id === first.run.id && !['running', 'queued'].includes(r.status)), RUN_TIMEOUT);
      const run = done.find((r) => r.id === first.run.id)!;
      assert.equal(run.status, 'completed', `the run completed (error: ${run.error ?? 'none'})`);
      const item = a.tree.getChildren().find((i) => i.run.id === first.run.id)!;
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
      assert.equal(item.contextValue, 'run.completed');
      assert.match(String(item.description), /acc \d|loss \d/);
      const tooltip = (item.tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /completed/);
      assert.match(tooltip, /loss/);
      assert.ok(seen.some((s) => /^running\|step \d+\/\d+/.test(s) && s.endsWith('|loading~spin')), `saw it running with step/total: ${seen.slice(0, 5).join(' ; ')}`);
      assert.ok(bar.some((t) => /suite-first: step \d+\/\d+/.test(t) && /loss \d/.test(t)), `the status bar showed step/total and loss: ${bar.slice(-3).join(' ; ')}`);
    } finally { sub.dispose(); }
  });

  it('the source behind the charts serves the run\'s metrics', async () => {
    const a = await api();
    const m = await a.source.metrics(first.run.id, 0);
    assert.ok(m.lines.length > 0, 'metrics lines');
    assert.ok(m.lines.some((l) => typeof l.loss === 'number'), 'training lines with a loss');
    assert.ok(m.lines.some((l) => typeof l.eval_loss === 'number'), 'evaluation lines (eval_loss)');
  });

  it('Open Charts, Open Run Config, Open Run Log and Open Run Folder act on the run', async () => {
    assert.equal(await vscode.commands.executeCommand('simpo.openCharts', first.run.id), first.run.id);
    const chartsTab = await waitFor('a chart panel (webview simpo.charts)', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('simpo.charts')));
    assert.match(chartsTab.label, /.+/);
    // the panel received the run's data: its chart answers a PNG export, and the CSV holds every metrics line
    const a = await api();
    const png = await vscode.commands.executeCommand<string>('simpo.exportChart', { runId: first.run.id, chart: 'loss', path: ws('loss.png') });
    assert.ok(png && existsSync(png), 'the loss chart exported as a PNG');
    assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const csv = await vscode.commands.executeCommand<string>('simpo.exportCsv', { runId: first.run.id, path: ws('metrics.csv') });
    const rows = readFileSync(csv!, 'utf8').trim().split('\n');
    const m = await a.source.metrics(first.run.id, 0);
    assert.equal(rows.length, m.lines.length + 1, 'a header and one row per metrics line');
    assert.match(rows[0], /step/);
    const cfg = await vscode.commands.executeCommand<string>('simpo.openRunConfig', first.run.id);
    assert.ok(cfg && existsSync(cfg));
    const logPath = await vscode.commands.executeCommand<string>('simpo.openRunLog', first.run.id);
    assert.ok(logPath && existsSync(logPath));
    const folder = await vscode.commands.executeCommand<vscode.Uri>('simpo.openRunFolder', first.run.id);
    assert.equal(folder?.fsPath, first.runDir);
  });

  it('Start Run on Dataset starts a run; Stop Run stops it; Compare Runs takes both; Delete Run removes one', async () => {
    const a = await api();
    const dataset = findFile(ws('example'), /\.(jsonl|json|parquet)$/);
    assert.ok(dataset, 'the example has a dataset');
    const second = (await vscode.commands.executeCommand<StartRunResult>('simpo.startRunOnDataset', vscode.Uri.file(dataset), { configPath: config, name: 'suite-second', openCharts: false, progress: false }))!;
    assert.ok(second?.run?.id, 'startRunOnDataset returned the run');
    // stop it once it trains (stopping a queued run before its trainer started counts as a failed start)
    await a.model.waitFor((runs) => runs.some((r) => r.id === second.run.id && r.status === 'running' && (r.last?.step ?? 0) >= 1), 60_000);
    assert.equal(await vscode.commands.executeCommand('simpo.stopRun', second.run.id), second.run.id);
    const after = await a.model.waitFor((runs) => runs.some((r) => r.id === second.run.id && !['running', 'queued'].includes(r.status)), 60_000);
    const st = after.find((r) => r.id === second.run.id)!;
    assert.ok(['stopped', 'completed'].includes(st.status), `stopped, not ${st.status} (${st.error ?? ''})`);
    // newest first
    assert.equal(a.model.runs[0].id, second.run.id);
    const compared = await vscode.commands.executeCommand<string[]>('simpo.compareRuns', [first.run.id, second.run.id]);
    assert.deepEqual(compared, [first.run.id, second.run.id]);
    assert.equal(await vscode.commands.executeCommand('simpo.deleteRun', second.run.id, { confirm: false }), second.run.id);
    await waitFor('the run dir to go', () => !existsSync(second.runDir));
    await a.model.waitFor((runs) => !runs.some((r) => r.id === second.run.id), 30_000);
  });

  it('a run started from the CLI in the same workspace appears in the run browser', async () => {
    const a = await api();
    const cli = process.env.SIMPO_SERVER_PATH || path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'out', 'cli.js');
    const child = spawn(process.execPath, [cli, 'train', config, '--runs-dir', ws('.simpo', 'runs'), '--name', 'from-cli'], { cwd: path.dirname(config), stdio: 'ignore', detached: true });
    child.unref();
    try {
      const runs = await a.model.waitFor((l) => l.some((r) => r.name === 'from-cli'), 60_000);
      const run = runs.find((r) => r.name === 'from-cli')!;
      await waitFor('the CLI run in the tree', () => a.tree.getChildren().find((i) => i.run.id === run.id));
      await a.model.waitFor((l) => l.some((r) => r.id === run.id && !['running', 'queued'].includes(r.status)), RUN_TIMEOUT);
      assert.equal(a.model.get(run.id)!.status, 'completed');
    } finally {
      try { process.kill(child.pid!); } catch { /* ended */ }
    }
  });
});
