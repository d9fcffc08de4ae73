// Modes for what Vigil keeps on disk (sessions, knowledge base, alerts, API token, webhook spools):
// directories 0700, files 0600, given at creation, since a library cannot rely on the process umask.

import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import type { Logger } from './logger.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const GROUP_OR_OTHERS = 0o077;

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;
const isErrno = (e: unknown, code: string): boolean => (e as NodeJS.ErrnoException | undefined)?.code === code;

/** Creates `dir` (and missing parents) 0700. An existing directory that group or others can enter is
 * tightened to 0700 and logged: whatever it holds may have been readable until now. */
export function ensurePrivateDir(dir: string, logger?: Logger): void {
  if (mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE }) !== undefined) return;
  const mode = statSync(dir).mode;
  if ((mode & GROUP_OR_OTHERS) === 0) return;
  try {
    chmodSync(dir, PRIVATE_DIR_MODE);
    logger?.warn({ dir, was: octal(mode), now: octal(PRIVATE_DIR_MODE) }, 'data directory was open to group or others; tightened');
  } catch (e) {
    // Not ours to change (e.g. owned by another user): run on, the files themselves are 0600.
    logger?.error({ dir, mode: octal(mode), err: e }, 'data directory is open to group or others and cannot be tightened');
  }
}

/** chmod 0600 a file that group or others can access; returns the mode it had, or undefined when it
 * was already private or does not exist. */
export function tightenFile(file: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
  if ((mode & GROUP_OR_OTHERS) === 0) return undefined;
  chmodSync(file, PRIVATE_FILE_MODE);
  return octal(mode);
}

/** Creates `file` empty with mode 0600 when absent ('wx', so never racing another creator), else
 * tightens it (see tightenFile). */
export function ensurePrivateFile(file: string): string | undefined {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
    return undefined;
  } catch (e) {
    if (!isErrno(e, 'EEXIST')) throw e;
  }
  return tightenFile(file);
}
