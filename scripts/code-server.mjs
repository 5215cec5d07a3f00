// Installs and starts code-server (VS Code 1.100.3 from npm), the real VS Code the extension tests run in on machines
// that cannot download VS Code from Microsoft. Offline workarounds from ../shared/notes/real-vscode-tests.md:
// ripgrep's release asset comes from Debian's /usr/bin/rg, node-gyp builds against the local Node headers, and
// node-pty's install may run npx without asking.
//
//   node scripts/code-server.mjs install      install into .cache/code-server (no-op when present)
//   node scripts/code-server.mjs path         print the code-server executable's path
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = join(root, '.cache', 'code-server');
export const codeServerBin = join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

const marker = join(cacheDir, `installed-${CODE_SERVER_VERSION}`);
export function isInstalled() {
  return existsSync(marker) && existsSync(codeServerBin);
}

function ripgrepCache() {
  // @vscode/ripgrep 1.15.11 looks for this asset in $TMPDIR/vscode-ripgrep-cache-1.15.11 before going to GitHub.
  const rg = '/usr/bin/rg';
  if (!existsSync(rg)) throw new Error('ripgrep is missing: apt-get install ripgrep (code-server needs /usr/bin/rg)');
  const tmp = process.env.TMPDIR || tmpdir();
  const dir = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  const asset = join(dir, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(asset)) return;
  mkdirSync(dir, { recursive: true });
  const stage = mkdtempSync(join(tmp, 'rg-stage-'));
  copyFileSync(rg, join(stage, 'rg')); // the package untars into its bin/ and expects `rg` at the archive's root
  const r = spawnSync('tar', ['-czf', asset, '-C', stage, 'rg'], { stdio: 'inherit' });
  rmSync(stage, { recursive: true, force: true });
  if (r.status !== 0) throw new Error('could not pack /usr/bin/rg for @vscode/ripgrep');
}

export function install() {
  if (isInstalled()) { console.log(`code-server ${CODE_SERVER_VERSION} already in ${cacheDir}`); return; }
  ripgrepCache();
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(join(cacheDir, 'package.json'))) {
    writeFileSync(join(cacheDir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }, null, 2));
  }
  const nodedir = resolve(dirname(process.execPath), '..');
  const env = {
    ...process.env,
    npm_config_nodedir: nodedir,
    npm_config_yes: 'true',
    npm_config_unsafe_perm: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  console.log(`installing code-server@${CODE_SERVER_VERSION} into ${cacheDir} (about a minute)`);
  const r = spawnSync('npm', ['install', '--foreground-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`],
    { cwd: cacheDir, env, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(codeServerBin)) throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status})`);
  writeFileSync(marker, new Date().toISOString());
}

/** Starts code-server in its own process group; resolves once /healthz answers. */
export async function start({ port, userDataDir, extensionsDir, workspace, xdgDir, log = 'ignore', extraArgs = [], trust = true }) {
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(xdgDir, 'config'), XDG_DATA_HOME: join(xdgDir, 'data'),
    XDG_CACHE_HOME: join(xdgDir, 'cache'), XDG_STATE_HOME: join(xdgDir, 'state'),
  };
  const args = [codeServerBin, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', ...(trust ? ['--disable-workspace-trust'] : []), '--disable-getting-started-override',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, ...extraArgs];
  if (workspace) args.push(workspace);
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', log, log] });
  const stop = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early (code ${child.exitCode})`);
    try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.ok) return { child, stop }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error('code-server did not answer /healthz within 60 s');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2] ?? 'install';
  if (cmd === 'install') install();
  else if (cmd === 'path') console.log(codeServerBin);
  else { console.error(`usage: node scripts/code-server.mjs install|path`); process.exit(2); }
}
