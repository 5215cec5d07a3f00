// Entry of the extension suites inside the extension host (bundled to out/test/suite/index.js). The test files are
// bundled in, so each registers its suites when imported after mocha has set up its globals (the 'pre-require' event).
import Mocha from 'mocha';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'simpo-suites', mocha);
  const grep = process.env.SIMPO_SUITE_GREP;
  if (grep) mocha.grep(grep);
  if (!vscode.workspace.isTrusted) {
    // the runner opened the folder in Restricted Mode: only what must hold there
    await import('./restricted.test');
  } else {
    await import('./activation.test');
    await import('./commands.test');
    await import('./runs.test');
  }
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}
