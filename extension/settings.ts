// The `simpo.*` settings, typed, with their defaults in one place (package.json's contributes.configuration
// declares the same names and defaults for the Settings UI).
import * as vscode from 'vscode';

export const DEFAULT_CONFIG_GLOBS = ['**/*.simpo.yaml', '**/*.simpo.yml', '**/training_configs/**/*.yaml', '**/training_configs/**/*.yml'];

export interface SimpoSettings {
  configGlobs: string[];
  runsDir: string;
  threads: number;
  validationEnabled: boolean;
  trace: 'off' | 'messages' | 'verbose';
}

export function settings(scope?: vscode.ConfigurationScope): SimpoSettings {
  const c = vscode.workspace.getConfiguration('simpo', scope);
  return {
    configGlobs: c.get<string[]>('configGlobs', DEFAULT_CONFIG_GLOBS),
    runsDir: c.get<string>('runsDir', ''),
    threads: c.get<number>('threads', 0),
    validationEnabled: c.get<boolean>('validation.enabled', true),
    trace: c.get<'off' | 'messages' | 'verbose'>('trace.server', 'off'),
  };
}
