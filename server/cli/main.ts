#!/usr/bin/env node
// `simpo`: the one command-line entry of SimPO Studio (bundled to out/cli.js). It trains, validates configs,
// lists, stops and deletes runs, and serves the language server the extension starts (`simpo lsp --stdio`).
// Exit codes: 0 done, 1 bad input, 2 training failed, 130/143 stopped by SIGINT/SIGTERM.
import { CliError, EXIT } from './errors';
import { deleteCommand, runsCommand, stopCommand } from './runs-cmd';
import { version } from '../../package.json';

const USAGE = `simpo ${version}: preference alignment (SimPO, DPO, SFT) on language models

usage:
  simpo train CONFIG [--runs-dir DIR] [--dataset FILE] [--name NAME] [--resume CKPT] [--run-dir DIR]
                                              train; a progress line on a terminal, log lines otherwise
  simpo validate CONFIG... [--json] [--quiet] check configs as the editor does (exit 1 on any error)
  simpo runs [--runs-dir DIR] [--json]        list runs: id, name, status, step, loss, accuracy, age
  simpo stop RUN [--runs-dir DIR] [--timeout S]
                                              stop a run (SIGTERM; it checkpoints and is marked stopped)
  simpo delete RUN [--runs-dir DIR]           delete a finished run's directory
  simpo demo [--runs-dir DIR]                 SimPO on the embedded example; accuracy before and after
  simpo lsp --stdio                           the language server (configs + runs), as the extension starts it
  simpo --help | --version

RUN is a run id, a unique prefix of one, or a run name. The runs dir defaults to .simpo/runs in the
current directory. Exit codes: 0 done, 1 bad input, 2 training failed, 130/143 stopped.
Set SIMPO_DEBUG=1 to see stack traces.`;

type Out = (s: string) => void;

function trainIo(out: Out) {
  return { out, err: (s: string) => process.stderr.write(s + '\n'), stderr: process.stderr, stdout: process.stdout, cwd: process.cwd() };
}
type Command = (argv: string[], out: Out) => number | Promise<number>;

// The trainer (onnxruntime-node) and the language server are loaded only by the commands that use them, so
// `simpo runs`, `simpo --version` and the language server start fast.
const COMMANDS: Record<string, Command> = {
  train: async (argv, out) => {
    const [{ trainCommand }, { runTraining, isInputError }] = await Promise.all([import('./train-cmd'), import('../train/index')]);
    return trainCommand(argv, runTraining, isInputError, trainIo(out));
  },
  demo: async (argv, out) => {
    const [{ demoCommand }, { runDemo }, { isInputError }] = await Promise.all([import('./demo-cmd'), import('../train/demo'), import('../train/errors')]);
    return demoCommand(argv, runDemo, isInputError, trainIo(out));
  },
  runs: runsCommand,
  stop: stopCommand,
  delete: deleteCommand,
  validate: async (argv, out) => (await import('../config/validate-cmd')).runValidate(argv, out),
  lsp: async (argv) => (await import('./lsp-cmd')).lspCommand(argv),
};

export async function main(argv: string[], out: Out = (s) => process.stdout.write(s + '\n'), err: Out = (s) => process.stderr.write(s + '\n')): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    (cmd === undefined ? err : out)(USAGE);
    return cmd === undefined ? EXIT.input : EXIT.ok;
  }
  if (cmd === '--version' || cmd === '-v') {
    out(version);
    return EXIT.ok;
  }
  const run = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!run) {
    err(`simpo: unknown command "${cmd}"\n\n${USAGE}`);
    return EXIT.input;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(USAGE);
    return EXIT.ok;
  }
  try {
    return await run(rest, out);
  } catch (e) {
    if (process.env.SIMPO_DEBUG === '1') err(String((e as Error).stack ?? e));
    if (e instanceof CliError) {
      err(`simpo ${cmd}: ${e.message.replace(new RegExp(`^simpo ${cmd}: `), '')}`);
      if (e.showUsage) err(`\n${USAGE}`);
      return e.exitCode;
    }
    err(`simpo ${cmd}: ${(e as Error).message ?? String(e)}`);
    return EXIT.input;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`simpo: ${(e as Error).stack ?? e}\n`); process.exitCode = EXIT.failed; },
  );
}
