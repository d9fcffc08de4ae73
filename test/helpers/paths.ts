// Paths for tests: the repository root (found by walking up to package.json, so it works from
// test/ under tsx and from dist/test/ when compiled) and the shared corpus beside the checkout.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
}

export const REPO_ROOT = findRoot();
export const CORPUS_DIR = resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const HAS_CORPUS = existsSync(CORPUS_DIR);

/** Path of a corpus file, e.g. corpusPath('dcerpc', 'sv_zerologon.pcap'). */
export function corpusPath(...parts: string[]): string {
  return join(CORPUS_DIR, ...parts);
}

/** `skip` option for node:test: false when the corpus is there, else the printed reason. */
export function skipWithoutCorpus(...parts: string[]): false | string {
  const p = corpusPath(...parts);
  return existsSync(p) ? false : `shared corpus file not found: ${p} (a user's clone has no ../shared)`;
}

/** Compiled CLI entry point (tests that spawn `vigil` need `npm run build` first, as `npm test` does). */
export const CLI_PATH = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
