// `npm run bench`: runs every bench/*.bench.js module and writes bench/RESULTS.md. Each module
// exports `title` and `run()` returning a markdown section that puts each figure beside a peer
// measured in the same run. Arguments filter modules by substring.

import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchModule {
  title: string;
  run(): Promise<string>;
}

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

const sections: string[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as BenchModule;
  process.stderr.write(`bench: ${mod.title} ...\n`);
  const started = Date.now();
  try {
    sections.push(`## ${mod.title}\n\n${await mod.run()}\n\n_(took ${((Date.now() - started) / 1000).toFixed(1)} s)_\n`);
  } catch (e) {
    sections.push(`## ${mod.title}\n\nFAILED: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
const cpu = cpus();
const header = [
  '# Vigil benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
  `Machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}.`,
  'The machine is shared and noisy: figures are medians of several runs, each beside a peer measured in the same run.',
  '',
].join('\n');
const out = join(here, '..', '..', 'bench', 'RESULTS.md');
writeFileSync(filters.length ? out.replace('RESULTS.md', `RESULTS.partial.md`) : out, `${header}\n${sections.join('\n')}`);
process.stderr.write(`bench: wrote ${out}\n`);
