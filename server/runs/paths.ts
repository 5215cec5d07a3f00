// Where runs go. Paths written in a config file are not trusted (a config may come from anywhere): a runs dir
// taken from a config must resolve inside the workspace (or current directory) or the config's own folder. A
// runs dir the user gives explicitly (a CLI flag, a setting) is used as given.
import * as path from 'node:path';
import { defaultRunsDir } from './run-dir';

/** Whether `p` is `root` or lies under it (after resolving `..`). */
export function isInside(p: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface RunsDirChoice {
  /** given explicitly by the user (flag or setting): trusted, resolved against cwd */
  explicit?: string;
  /** `runs_dir` of the config, resolved against the config's folder; must stay inside cwd or that folder */
  fromConfig?: string | null;
  configPath?: string;
  /** the workspace or current directory */
  cwd: string;
}

/** The runs dir to use; throws naming the config and the key when the config's choice escapes. */
export function resolveRunsDir(c: RunsDirChoice): string {
  if (c.explicit) return path.resolve(c.cwd, c.explicit);
  if (c.fromConfig) {
    const base = c.configPath ? path.dirname(path.resolve(c.cwd, c.configPath)) : c.cwd;
    const dir = path.resolve(base, c.fromConfig);
    if (!isInside(dir, c.cwd) && !isInside(dir, base)) {
      throw new Error(
        `${c.configPath ?? 'config'}: runs_dir "${c.fromConfig}" resolves to ${dir}, outside the workspace (${c.cwd}) ` +
        `and the config's folder; pass --runs-dir to choose it explicitly`,
      );
    }
    return dir;
  }
  return defaultRunsDir(c.cwd);
}
