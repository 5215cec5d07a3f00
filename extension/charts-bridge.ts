// Connects the commands to the chart panels of extension/charts/ (the charts engineer's module). Until that module
// is present in a build, Open Charts falls back to opening the run's metrics.jsonl beside the config.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { RUN_FILES } from '../server/protocol/runs';
import type { ChartsApi } from './commands';
import type { ClientRunsSource } from './runs-source';

export function connectCharts(_context: vscode.ExtensionContext, source: ClientRunsSource): ChartsApi {
  return {
    open(runId, besideUri) {
      void source.getRun(runId).then((run) => {
        if (!run) return;
        void vscode.window.showTextDocument(vscode.Uri.file(path.join(run.runDir, RUN_FILES.metrics)), { viewColumn: besideUri ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preview: true });
      });
    },
    compare(runIds) {
      void vscode.window.showInformationMessage(`SimPO: comparing ${runIds.join(', ')} needs the charts module.`);
    },
  };
}
