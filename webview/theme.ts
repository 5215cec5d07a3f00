// Colours from VS Code's CSS variables, re-read whenever the theme changes (VS Code swaps the body class
// vscode-light / vscode-dark / vscode-high-contrast / vscode-high-contrast-light and the variables with it).
import type { ColorRole } from './chart-defs';

/** role -> [our contributed colour, VS Code's chart colour fallback, last resort] */
const ROLE_VARS: Record<ColorRole, [string, string, string]> = {
  loss: ['--vscode-simpo-chart-loss', '--vscode-charts-blue', '#3794ff'],
  eval: ['--vscode-simpo-chart-eval', '--vscode-charts-purple', '#b180d7'],
  chosen: ['--vscode-simpo-chart-chosen', '--vscode-charts-green', '#89d185'],
  rejected: ['--vscode-simpo-chart-rejected', '--vscode-charts-red', '#f14c4c'],
  margin: ['--vscode-simpo-chart-margin', '--vscode-charts-yellow', '#cca700'],
  memory: ['--vscode-simpo-chart-memory', '--vscode-charts-orange', '#d18616'],
  throughput: ['--vscode-simpo-chart-throughput', '--vscode-charts-green', '#89d185'],
  lr: ['--vscode-simpo-chart-lr', '--vscode-charts-blue', '#3794ff'],
  gradNorm: ['--vscode-simpo-chart-gradnorm', '--vscode-charts-orange', '#d18616'],
};
const RUN_VARS: [string, string, string][] = [
  ['--vscode-simpo-chart-run1', '--vscode-charts-blue', '#3794ff'],
  ['--vscode-simpo-chart-run2', '--vscode-charts-red', '#f14c4c'],
  ['--vscode-simpo-chart-run3', '--vscode-charts-green', '#89d185'],
  ['--vscode-simpo-chart-run4', '--vscode-charts-yellow', '#cca700'],
  ['--vscode-simpo-chart-run5', '--vscode-charts-purple', '#b180d7'],
  ['--vscode-simpo-chart-run6', '--vscode-charts-orange', '#d18616'],
];

export interface Palette {
  role: Record<ColorRole, string>;
  run: string[];
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  fontFamily: string;
}

function read(style: CSSStyleDeclaration, names: readonly string[]): string {
  for (const n of names) {
    if (n.startsWith('#')) return n;
    const v = style.getPropertyValue(n).trim();
    if (v) return v;
  }
  return '';
}

export function readPalette(el: HTMLElement = document.body): Palette {
  const style = getComputedStyle(el);
  const role = {} as Record<ColorRole, string>;
  for (const k of Object.keys(ROLE_VARS) as ColorRole[]) role[k] = read(style, ROLE_VARS[k]);
  return {
    role,
    run: RUN_VARS.map((v) => read(style, v)),
    foreground: read(style, ['--vscode-editor-foreground', '--vscode-foreground', '#cccccc']),
    muted: read(style, ['--vscode-descriptionForeground', '--vscode-foreground', '#999999']),
    grid: read(style, ['--vscode-editorWidget-border', '--vscode-panel-border', '--vscode-widget-border', '#80808040']),
    background: read(style, ['--vscode-editor-background', '#1e1e1e']),
    fontFamily: read(style, ['--vscode-font-family']) || 'system-ui, sans-serif',
  };
}

let probe: CanvasRenderingContext2D | null | undefined;
/** A colour at an alpha (for the raw series under a smoothed one); any CSS colour the canvas understands. */
export function withAlpha(color: string, alpha: number): string {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return color;
  probe.fillStyle = '#000000';
  probe.fillStyle = color; // normalised by the canvas to #rrggbb or rgba(r, g, b, a)
  const c = String(probe.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (hex) return `rgba(${parseInt(hex[1], 16)}, ${parseInt(hex[2], 16)}, ${parseInt(hex[3], 16)}, ${alpha})`;
  const rgba = /^rgba?\(([^,]+),([^,]+),([^,)]+)(?:,([^)]+))?\)$/.exec(c);
  if (rgba) return `rgba(${rgba[1].trim()}, ${rgba[2].trim()}, ${rgba[3].trim()}, ${alpha * (rgba[4] ? Number(rgba[4]) : 1)})`;
  return color;
}

/** Calls back (once per frame at most) when the body class or inline style changes: a theme switch. */
export function observeTheme(onChange: () => void): () => void {
  let pending = false;
  const obs = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; onChange(); });
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => obs.disconnect();
}
