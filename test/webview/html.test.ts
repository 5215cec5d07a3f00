// The chart webview's HTML and Content Security Policy (extension/charts/html.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWebviewHtml, contentSecurityPolicy, makeNonce } from '../../extension/charts/html';

const CSP_SOURCE = 'https://*.vscode-cdn.net';
const parts = (nonce = makeNonce()) => ({
  cspSource: CSP_SOURCE, nonce,
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css',
  title: 'Charts: run "a" <b>',
});

function csp(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  const policy = m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
}

test('the policy: nothing by default, scripts only with the nonce, styles/images/fonts only from the webview resources', () => {
  const p = parts();
  const html = buildWebviewHtml(p);
  const d = csp(html);
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), [`'nonce-${p.nonce}'`]);
  assert.deepEqual(d.get('style-src'), [CSP_SOURCE, `'nonce-${p.nonce}'`]);
  assert.deepEqual(d.get('img-src'), [CSP_SOURCE, 'data:']);
  assert.deepEqual(d.get('font-src'), [CSP_SOURCE]);
  assert.deepEqual([...d.keys()].sort(), ['default-src', 'font-src', 'img-src', 'script-src', 'style-src']);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|\*(?!\.vscode-cdn)/);
  assert.equal(contentSecurityPolicy(CSP_SOURCE, p.nonce), [...d].map(([k, v]) => [k, ...v].join(' ')).join('; '));
});

test('every script carries the nonce and loads from the webview resource URI; no inline handlers', () => {
  const p = parts();
  const html = buildWebviewHtml(p);
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][1], new RegExp(`nonce="${p.nonce}"`));
  assert.match(scripts[0][1], /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/out\/webview\.js"/);
  assert.equal(scripts[0][2].trim(), '', 'no inline code');
  const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(links, [p.styleUri, p.scriptUri], 'only the extension\'s own files');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /style="/, 'no inline styles');
  assert.match(html, /<title>Charts: run &quot;a&quot; &lt;b&gt;<\/title>/, 'the title is escaped');
});

test('a fresh, unguessable nonce every time; a bad nonce is refused', () => {
  const seen = new Set(Array.from({ length: 100 }, () => makeNonce()));
  assert.equal(seen.size, 100);
  for (const n of seen) assert.match(n, /^[A-Za-z0-9_-]{22}$/);
  assert.throws(() => buildWebviewHtml(parts('abc')), /nonce must be 16\+ base64url characters/);
  assert.throws(() => buildWebviewHtml(parts(`${'a'.repeat(20)}' 'unsafe-inline`)), /nonce/);
});
