// Test helper: loads the hex PDU vectors beside this file (extracted from the shared corpus with
// tshark; each file names its source) through REPO_ROOT, so it works under tsx and from dist/.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '../../../../src/core/hex.js';
import { REPO_ROOT } from '../../../helpers/paths.js';

export const VECTOR_DIR = join(REPO_ROOT, 'test', 'protocols', 'dcerpc', 'vectors');

export function vector(name: string): Uint8Array {
  return fromHex(readFileSync(join(VECTOR_DIR, `${name}.hex`), 'utf8'));
}

export function allVectors(): { name: string; bytes: Uint8Array }[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), bytes: vector(f.slice(0, -4)) }));
}

