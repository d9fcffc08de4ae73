// Running the compiled `vigil` CLI from tests: a clean VIGIL_* environment and a neutral working
// directory (no ./vigil.yaml), so the developer's own settings cannot leak into a test.

import { spawnSync } from 'node:child_process';
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
