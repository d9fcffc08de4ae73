// Running the compiled `vigil` CLI from tests: a clean VIGIL_* environment and a neutral working
// directory (no ./vigil.yaml), so the developer's own settings cannot leak into a test.

import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CLI_PATH } from './paths.js';

/** `skip` option for tests that spawn the compiled CLI (npm test builds it first). */
export const skipWithoutBuild: false | string = existsSync(CLI_PATH) ? false : `${CLI_PATH} missing (run npm run build first; npm test does)`;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function vigil(args: readonly string[], env: Record<string, string> = {}, cwd = tmpdir()): CliResult {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_')));
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `vigil ...` in-process (fast: no process start per case) with the commands `register` adds:
 * stdout captured as bytes, errors thrown (commander's exitOverride). */
export async function vigilInProcess(register: (program: Command) => void, args: readonly string[]): Promise<Buffer> {
  const program = new Command('vigil').exitOverride();
  register(program);
  const parts: Buffer[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    parts.push(Buffer.from(chunk));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'vigil', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return Buffer.concat(parts);
}
