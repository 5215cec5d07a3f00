// The one typed message contract between the chart webview (webview/) and the extension host (extension/charts/).
// One discriminated union for each direction; both sides import these names and types, nothing else crosses.
import type { MetricsLine, SampleLine } from './runs';
import type { RunSummary, MetricsResult, MetricsAppendedParams } from './lsp';

/** viewType of the chart panels (also the WebviewPanelSerializer's and the `onWebviewPanel:` activation event's). */
export const CHARTS_VIEW_TYPE = 'simpo.charts';

/** Ids of the charts a panel draws; `data-chart` attribute of each canvas. */
export const CHART_IDS = ['loss', 'rewards', 'accuracy', 'memory', 'throughput', 'lr'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export type PanelMode = 'single' | 'compare';
/** VS Code's ColorThemeKind as a name (the webview also follows the body class live). */
export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** Per-chart view options: EMA smoothing weight in [0, 0.99] and log scale of the y axis. */
export interface ChartOptionsState { smoothing: number; log: boolean }

/** What a panel remembers (vscode.setState in the webview; handed to the serializer after a reload). */
export interface PanelState {
  mode: PanelMode;
  runIds: string[];
  /** per chart view options */
  charts?: Partial<Record<ChartId, ChartOptionsState>>;
  /** the samples table is open */
  samplesOpen?: boolean;
}

// ---------------------------------------------------------------- host -> webview

/** First message after the webview said `ready`: the runs shown, and the saved view options. */
export interface InitMessage {
  type: 'init';
  mode: PanelMode;
  runs: RunSummary[];
  theme: ThemeKind;
  state?: PanelState;
}
/** Metrics lines of a run, from line index `from` (0 with an empty or full history replaces what is drawn). */
export interface MetricsMessage { type: 'metrics'; runId: string; lines: MetricsLine[]; from: number }
/** The runs' summaries changed (status, last step...). */
export interface RunsMessage { type: 'runs'; runs: RunSummary[] }
/** samples.jsonl of a run. */
export interface SamplesMessage { type: 'samples'; runId: string; samples: SampleLine[] }
/** The host asks for a PNG of one chart (or of every chart when `chart` is absent); the webview answers exportPng. */
export interface ExportRequestMessage { type: 'exportRequest'; chart?: ChartId; requestId: number }
/** The host's theme kind changed (the body class changes too; this is a second signal). */
export interface ThemeMessage { type: 'theme'; theme: ThemeKind }

export type HostToWebview = InitMessage | MetricsMessage | RunsMessage | SamplesMessage | ExportRequestMessage | ThemeMessage;

// ---------------------------------------------------------------- webview -> host

/** Posted once the webview is mounted; only then does the host send init and data. */
export interface ReadyMessage { type: 'ready' }
/** A chart as a PNG data URL (`data:image/png;base64,...`); `requestId` answers an exportRequest. */
export interface ExportPngMessage { type: 'exportPng'; chart: ChartId; dataUrl: string; requestId?: number }
/** The user asked for the metrics of these runs as CSV. */
export interface ExportCsvMessage { type: 'exportCsv'; runIds: string[] }
/** The view options changed; the host keeps them for the serializer. */
export interface SetStateMessage { type: 'setState'; state: PanelState }
/** The user asked for samples.jsonl of a run (the table was opened). */
export interface RequestSamplesMessage { type: 'requestSamples'; runId: string }
/** Something went wrong in the webview (shown in the host's log). */
export interface WebviewErrorMessage { type: 'error'; message: string }

export type WebviewToHost = ReadyMessage | ExportPngMessage | ExportCsvMessage | SetStateMessage | RequestSamplesMessage | WebviewErrorMessage;

// ---------------------------------------------------------------- the data side the host reads runs through

/** Implemented by the extension over the language client (extension/runs-source.ts). */
export interface RunsSource {
  listRuns(): Promise<RunSummary[]>;
  metrics(id: string, from: number): Promise<MetricsResult>;
  /** the server pushes metricsAppended for this run until unsubscribe */
  subscribe(id: string): Promise<void>;
  unsubscribe(id: string): Promise<void>;
  onMetricsAppended(cb: (p: MetricsAppendedParams) => void): { dispose(): void };
  /** samples.jsonl of a run directory (empty when absent) */
  readSamples(runDir: string): Promise<SampleLine[]>;
  /** optional: fires when the run list changes (status, new metrics) */
  onRunsChanged?: (cb: (runs: readonly RunSummary[]) => void) => { dispose(): void };
}
