#!/usr/bin/env node
// The `vigil` command: the composition root. Each subcommand lives in its own file under
// ./commands, named after the command, and exports `register(program)`. They are discovered from that
// folder so that adding a command touches one file, and only the one invoked is loaded (loading all
// of them costs about half a CPU-second, which a `vigil pcap` run on a small file would feel).

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/errors.js';

export interface CommandModule {
  register(program: Command): void;
}

/** The command file to load for these arguments, or undefined to load all (help, unknown command). */
function commandFileFor(argv: readonly string[], files: readonly string[]): string | undefined {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  return name !== undefined && files.includes(`${name}.js`) ? `${name}.js` : undefined;
}

export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('vigil')
    .description('Vigil: early warning and response for critical network vulnerabilities')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  const only = commandFileFor(argv, files);
  for (const f of only ? [only] : files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Partial<CommandModule>;
    if (typeof mod.register === 'function') mod.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // Commander exits 1 on a usage error; the README promises 2 (help and --version stay 0).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isAppError(e)) {
      process.stderr.write(`vigil: ${e.message}\n`);
      return e.code === 'VIGIL_ERR_CONFIG' || e.code === 'VIGIL_ERR_BAD_ARGUMENT' ? 2 : 1;
    }
    process.stderr.write(`vigil: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}

/**
 * A reader that went away (`vigil alerts | head`) is the normal end of a pipeline, not an error:
 * stop quietly, as Unix tools do on SIGPIPE (Node ignores SIGPIPE and reports EPIPE on the stream
 * instead, which unhandled becomes a stack trace). One handler here covers every command.
 */
export function exitQuietlyOnEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly || process.argv[1]?.endsWith('/vigil')) {
  exitQuietlyOnEpipe();
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
