// Connects the commands to the chart panels of extension/charts/ (the charts module): it reads runs only through
// the RunsSource implemented here over the language client.
import * as vscode from 'vscode';
import { registerCharts, type ChartsModule } from './charts';
import type { ClientRunsSource } from './runs-source';

export function connectCharts(context: vscode.ExtensionContext, source: ClientRunsSource, log: vscode.LogOutputChannel): ChartsModule {
  return registerCharts(context, source, (m) => log.info(`charts: ${m}`));
}
