// Argument parsing for the subcommands, on node:util parseArgs: unknown flags, missing values and a wrong number
// of positionals become UsageErrors naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv for one subcommand; `positionals` is [min, max] count. */
export function parse(argv: string[], options: Options, positionals: [number, number], what: string): Parsed {
  let r;
  try {
    r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^.*?: /, '');
    throw new UsageError(`${what}: ${msg}`);
  }
  const [min, max] = positionals;
  if (r.positionals.length < min) throw new UsageError(`${what}: missing argument`);
  if (r.positionals.length > max) throw new UsageError(`${what}: unexpected argument "${r.positionals[max]}"`);
  return { values: r.values as Parsed['values'], positionals: r.positionals };
}

export function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
