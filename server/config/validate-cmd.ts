// `simpo validate CONFIG... [--json] [--no-paths] [--quiet]`: every finding of each config, as
// "file:line:col severity code message" lines (1-based), or with --json one JSON array of
// {file, range, severity, code, message} (0-based LSP ranges). Exit 1 when any error (or a usage mistake), else 0.
import { formatFinding, type Finding } from './findings';
import { loadConfigFile } from './load';

const USAGE = 'usage: simpo validate CONFIG... [--json] [--no-paths] [--quiet]';

export async function runValidate(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n'), err: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<number> {
  const files: string[] = [];
  let json = false, paths = true, quiet = false;
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--no-paths') paths = false;
    else if (a === '--quiet' || a === '-q') quiet = true;
    else if (a.startsWith('-')) { err(`simpo validate: unknown option ${a}\n${USAGE}`); return 1; }
    else files.push(a);
  }
  if (!files.length) { err(`simpo validate: no config file given\n${USAGE}`); return 1; }
  const all: Finding[] = [];
  for (const f of files) {
    const r = await loadConfigFile(f, { checkPaths: paths, absolutePaths: false });
    all.push(...r.findings);
  }
  const shown = quiet ? all.filter((f) => f.severity === 'error' || f.severity === 'warning') : all;
  if (json) out(JSON.stringify(shown.map(({ file, range, severity, code, message }) => ({ file, range, severity, code, message })), null, 2));
  else {
    for (const f of shown) out(formatFinding(f));
    const n = (s: Finding['severity']) => all.filter((f) => f.severity === s).length;
    const errors = n('error'), warnings = n('warning');
    err(errors || warnings ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` : `${files.length === 1 ? files[0] : `${files.length} configs`}: no errors`);
  }
  return all.some((f) => f.severity === 'error') ? 1 : 0;
}
