// Glob patterns of config files (`**/*.simpo.yaml`, `**/training_configs/**/*.yml`, `{a,b}`), matched against
// paths with forward slashes. A pattern without a slash matches a file's base name (as VS Code's fileMatch does).
const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let re = '';
  let inBrace = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') { re += '(?:'; inBrace++; }
    else if (c === '}' && inBrace) { re += ')'; inBrace--; }
    else if (c === ',' && inBrace) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`, process.platform === 'win32' ? 'i' : '');
  if (cache.size > 500) cache.clear();
  cache.set(glob, rx);
  return rx;
}

export function matchesGlob(filePath: string, glob: string): boolean {
  const p = filePath.replace(/\\/g, '/');
  const g = glob.replace(/\\/g, '/');
  if (!g.includes('/')) return globToRegExp(g).test(p.slice(p.lastIndexOf('/') + 1));
  // a relative pattern ("training_configs/*.yaml") may match anywhere below the root
  const rx = globToRegExp(g.startsWith('/') || g.startsWith('**/') ? g : `**/${g}`);
  return rx.test(p) || rx.test(p.replace(/^\/+/, ''));
}

export function matchesAny(filePath: string, globs: readonly string[]): boolean {
  return globs.some((g) => matchesGlob(filePath, g));
}
