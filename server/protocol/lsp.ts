// Custom LSP requests and notifications between the extension (vscode-languageclient) and the training
// server (vscode-languageserver). Typed once; both sides import these names and types.
import type { RunInfo, MetricsLine } from './runs';

export interface StartRunParams {
  /** absolute path of the config file */
  configPath: string;
  /** absolute path of a dataset that overrides the config's */
  dataset?: string;
  name?: string;
}
export interface StartRunResult { run: RunInfo; runDir: string }

export interface RunRef { id: string }
export interface RunSummary extends RunInfo {
  runDir: string;
  /** last training metrics line, if any */
  last?: MetricsLine;
  /** last evaluation metrics line, if any */
  lastEval?: MetricsLine;
  /** key hyperparameters for tooltips: beta, gamma_beta_ratio, learning_rate, effective batch... */
  hyper?: Record<string, string | number | boolean>;
}

export interface MetricsParams { id: string; /** line index to read from (0 = all) */ from?: number }
export interface MetricsResult { id: string; lines: MetricsLine[]; next: number }

/** server -> client: the list of runs changed (new run, status change, new metrics). */
export interface RunsChangedParams { runs: RunSummary[] }
/** server -> client: new metrics lines appended to a run (only for runs the client subscribed to). */
export interface MetricsAppendedParams { id: string; lines: MetricsLine[]; from: number }

export const Methods = {
  startRun: 'simpo/startRun',
  stopRun: 'simpo/stopRun',
  deleteRun: 'simpo/deleteRun',
  listRuns: 'simpo/listRuns',
  metrics: 'simpo/metrics',
  subscribe: 'simpo/subscribeMetrics',
  unsubscribe: 'simpo/unsubscribeMetrics',
  runsChanged: 'simpo/runsChanged',
  metricsAppended: 'simpo/metricsAppended',
} as const;
