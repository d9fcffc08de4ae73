// The API's bearer token: created at first start in dataDir/api-token (mode 0600, like an SSH key),
// rotated atomically, and checked in constant time (RFC 6750 bearer scheme) on every route but health.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';

export const TOKEN_FILE = 'api-token';

export interface TokenState {
  readonly token: string;
  /** true when this call created the token: the caller prints it once. */
  readonly created: boolean;
  readonly path: string;
}

/** 256 random bits, URL-safe so it can sit in a header or a shell variable unquoted. */
function newToken(): string {
  return `vgl_${randomBytes(32).toString('base64url')}`;
}

export function tokenPath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE);
}

/** Read the token, creating it (mode 0600) if absent. Tightens a too-open mode left by hand edits. */
export function ensureToken(dataDir: string): TokenState {
  const path = tokenPath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails if the file exists, so two processes starting at once cannot both create one.
    const token = newToken();
    writeFileSync(path, `${token}\n`, { flag: 'wx', mode: 0o600 });
    return { token, created: true, path };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(path, e);
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 16) throw new AppError('VIGIL_ERR_CONFIG', `${path}: token is empty or too short; delete the file or run \`vigil token --rotate\``);
  return { token, created: false, path };
}

/** Replace the token (write a temporary file, then rename over the old one, so readers never see half a token). */
export function rotateToken(dataDir: string): TokenState {
  const path = tokenPath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = newToken();
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${token}\n`, { flag: 'w', mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (e) {
    throw storeError(path, e);
  }
  return { token, created: true, path };
}

function storeError(path: string, e: unknown): AppError {
  return new AppError('VIGIL_ERR_CONFIG', `cannot write API token ${path}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
}

/** A token source that follows `vigil token --rotate` without a restart: it re-reads the file when
 * its modification time changes, checking at most once per `recheckMs`, and keeps the last good
 * token if the file is briefly unreadable. */
export function tokenReader(dataDir: string, recheckMs = 1000, now: () => number = Date.now): () => string {
  const path = tokenPath(dataDir);
  let token = ensureToken(dataDir).token;
  let mtime = statSync(path).mtimeMs;
  let checkedAt = now();
  return () => {
    if (now() - checkedAt < recheckMs) return token;
    checkedAt = now();
    try {
      const m = statSync(path).mtimeMs;
      if (m !== mtime) {
        const t = readFileSync(path, 'utf8').trim();
        if (t.length >= 16) {
          token = t;
          mtime = m;
        }
      }
    } catch {
      // keep the last good token
    }
    return token;
  };
}

/** Constant-time check of an Authorization header against the token. Hashing both sides first
 * makes the comparison length-independent, so timing reveals neither content nor length. */
export function checkBearer(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  const given = createHash('sha256').update(m ? m[1] : '').digest();
  const want = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, want) && m !== null;
}
