// The chart webview's HTML with its Content Security Policy: nothing inline runs without the nonce, nothing loads
// but the extension's own bundle and stylesheet (webview resource URIs), images only from them or data: URLs.
// Pure (no vscode import), so it is unit-tested as is.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlParts {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** asWebviewUri(out/webview.js) */
  scriptUri: string;
  /** asWebviewUri(media/webview.css) */
  styleUri: string;
  title: string;
}

/** 128 random bits, base64url: a fresh one for every HTML the panel gets. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildWebviewHtml(p: WebviewHtmlParts): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(p.nonce)) throw new Error(`webview nonce must be 16+ base64url characters, got "${p.nonce}"`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(p.styleUri)}" nonce="${p.nonce}">
<title>${escapeAttr(p.title)}</title>
</head>
<body>
<main id="root" aria-labelledby="panel-title"></main>
<script nonce="${p.nonce}" src="${escapeAttr(p.scriptUri)}"></script>
</body>
</html>
`;
}
