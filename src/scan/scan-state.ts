// Resumable scans: where the permutation stood (its four numbers, at the oldest host not yet
// finished) and the scan's parameters, in one private JSON file per scan under the data directory
// (<dataDir>/scans/<key>.json, directory 0700, file 0600), replaced atomically on every save.

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../core/private-files.js';
import type { PermutationState } from './permutation.js';

export interface ScanParameters {
  readonly targets: readonly string[];
  readonly ports: readonly number[];
  readonly scope: readonly string[];
  readonly exclude: readonly string[];
  readonly checks: readonly string[];
}

export interface SavedScan {
  readonly version: 1;
  readonly key: string;
  readonly params: ScanParameters;
  readonly permutation: PermutationState;
  /** Hosts finished before the saved position. */
  readonly hostsDone: number;
  readonly startedAt: number;
  readonly savedAt: number;
}

/** Largest state file read back (it holds a few numbers and the target list). */
const MAX_STATE_BYTES = 1 << 20;

/** The same targets, ports, scope, exclusions and checks make the same key: `--resume` finds it. */
export function scanKey(p: ScanParameters): string {
  const canon = JSON.stringify([p.targets, [...p.ports].sort((a, b) => a - b), p.scope, p.exclude, [...p.checks].sort()]);
  return createHash('sha256').update(canon).digest('hex').slice(0, 16);
}

export class ScanStateStore {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  get directory(): string {
    return this.dir;
  }

  save(s: SavedScan): void {
    ensurePrivateDir(this.dir);
    const tmp = `${this.file(s.key)}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(s)}\n`, { mode: PRIVATE_FILE_MODE });
    renameSync(tmp, this.file(s.key));
  }

  load(key: string): SavedScan | undefined {
    let text: string;
    try {
      const buf = readFileSync(this.file(key));
      if (buf.length > MAX_STATE_BYTES) throw new AppError('VIGIL_ERR_BAD_FILE', `${this.file(key)}: over ${MAX_STATE_BYTES} bytes, not a scan state`);
      text = buf.toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let s: SavedScan;
    try {
      s = JSON.parse(text) as SavedScan;
    } catch {
      throw new AppError('VIGIL_ERR_BAD_FILE', `${this.file(key)}: not JSON; delete it to start the scan afresh`);
    }
    if (s?.version !== 1 || s.key !== key || typeof s.permutation?.prime !== 'number' || typeof s.hostsDone !== 'number') {
      throw new AppError('VIGIL_ERR_BAD_FILE', `${this.file(key)}: not a scan state of this version; delete it to start afresh`);
    }
    return s;
  }

  remove(key: string): void {
    rmSync(this.file(key), { force: true });
  }
}
