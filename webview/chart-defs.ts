// What each chart shows: its series (metric keys), colours (theme roles) and axes. Data only.
import type { ChartId } from '../server/protocol/webview';

/** Colour roles: `--vscode-simpo-chart-<role>` (contributes.colors), falling back to VS Code's chart colours. */
export type ColorRole = 'loss' | 'eval' | 'chosen' | 'rejected' | 'margin' | 'memory' | 'throughput' | 'lr' | 'gradNorm';

export interface SeriesDef {
  key: string;
  label: string;
  role: ColorRole;
  /** evaluation series: sparse, drawn with points */
  eval?: boolean;
  /** second y axis (right) */
  axis?: 'y1';
  /** left out in compare mode (one colour per run there, so fewer lines per run) */
  single?: boolean;
}

export interface ChartDef {
  id: ChartId;
  title: string;
  yTitle: string;
  y1Title?: string;
  series: SeriesDef[];
  /** whether the log toggle is offered (series that go negative do not fit a log axis) */
  logAllowed: boolean;
}

export const CHART_DEFS: ChartDef[] = [
  {
    id: 'loss', title: 'Loss', yTitle: 'loss', logAllowed: true,
    series: [
      { key: 'loss', label: 'train loss', role: 'loss' },
      { key: 'eval_loss', label: 'eval loss', role: 'eval', eval: true },
    ],
  },
  {
    id: 'rewards', title: 'Reward margin and rewards', yTitle: 'reward', logAllowed: false,
    series: [
      { key: 'rewards/margins', label: 'margin', role: 'margin' },
      { key: 'rewards/chosen', label: 'chosen', role: 'chosen', single: true },
      { key: 'rewards/rejected', label: 'rejected', role: 'rejected', single: true },
      { key: 'eval_rewards/margins', label: 'eval margin', role: 'eval', eval: true },
    ],
  },
  {
    id: 'accuracy', title: 'Reward accuracy', yTitle: 'accuracy', logAllowed: true,
    series: [
      { key: 'rewards/accuracies', label: 'train accuracy', role: 'chosen' },
      { key: 'eval_rewards/accuracies', label: 'eval accuracy', role: 'eval', eval: true },
    ],
  },
  {
    id: 'memory', title: 'Peak memory', yTitle: 'MB', logAllowed: true,
    series: [{ key: 'peak_memory_mb', label: 'peak memory (MB)', role: 'memory' }],
  },
  {
    id: 'throughput', title: 'Throughput', yTitle: 'tokens/s', logAllowed: true,
    series: [{ key: 'tokens_per_second', label: 'tokens/s', role: 'throughput' }],
  },
  {
    id: 'lr', title: 'Learning rate and gradient norm', yTitle: 'learning rate', y1Title: 'grad norm', logAllowed: true,
    series: [
      { key: 'learning_rate', label: 'learning rate', role: 'lr' },
      { key: 'grad_norm', label: 'grad norm', role: 'gradNorm', axis: 'y1' },
    ],
  },
];
