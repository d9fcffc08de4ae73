// Exposure import benchmark: a generated nmap XML of N Windows XP hosts (3 open ports, an OS match,
// service and OS CPEs) imported into a fresh store (assets + KB matching + findings) and re-imported,
// each in a child process for its own CPU time and peak RSS, beside a parse-only pass (saxes over the
// same file into observations, nothing stored): the part of the cost that is reading the file.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const title = 'Exposure: nmap XML inventory import';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const HOSTS = Number(process.env.VIGIL_BENCH_EXPOSURE_HOSTS ?? 10_000);
const mod = (p: string): string => JSON.stringify(pathToFileURL(join(repo, 'dist', 'src', p)).href);

const IMPORT_CHILD = `
const { openSqliteStore } = await import(${mod('store/sqlite/sqlite-store.js')});
const { KbSqliteStore } = await import(${mod('store/sqlite/kb-sqlite-store.js')});
const { ExposureSqliteStore } = await import(${mod('store/sqlite/exposure-sqlite-store.js')});
const { ExposureService } = await import(${mod('exposure/exposure-service.js')});
const { loadStarterData } = await import(${mod('kb/data/starter-data.js')});
const [xml, db, times] = process.argv.slice(1);
const s = await openSqliteStore({ file: db, synchronous: 'normal', background: false });
const kb = new KbSqliteStore(s.kysely);
await loadStarterData(kb);
const service = new ExposureService({ store: new ExposureSqliteStore(s.kysely), kb, clock: { now: () => Date.now() } });
const out = [];
for (let i = 0; i < Number(times); i++) {
  const u0 = process.cpuUsage();
  const r = await service.importFiles([{ path: xml }]);
  const u = process.cpuUsage(u0);
  out.push({ cpuMs: (u.user + u.system) / 1000, findings: r.findingsOpened + r.findingsUpdated });
}
await s.close();
console.log(JSON.stringify({ runs: out, rssKb: process.resourceUsage().maxRSS }));
`;

const PARSE_CHILD = `
const { importFile } = await import(${mod('exposure/import/import-file.js')});
const { IMPORT_LIMITS } = await import(${mod('exposure/exposure-limits.js')});
const { resolveLimits } = await import(${mod('core/limits.js')});
const [xml] = process.argv.slice(1);
const u0 = process.cpuUsage();
const r = await importFile(xml, resolveLimits(IMPORT_LIMITS), { now: 0 });
const u = process.cpuUsage(u0);
console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, hosts: r.observations.length, rssKb: process.resourceUsage().maxRSS }));
`;

function child(code: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, ...args], { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 900_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

function nmapXml(n: number): string {
  const hosts: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    hosts.push(`<host endtime="1764547200"><status state="up"/><address addr="${a}" addrtype="ipv4"/><hostnames><hostname name="h${i}.corp" type="PTR"/></hostnames><ports>`
      + '<port protocol="tcp" portid="135"><state state="open"/><service name="msrpc" product="Microsoft Windows RPC"><cpe>cpe:/o:microsoft:windows</cpe></service></port>'
      + '<port protocol="tcp" portid="139"><state state="open"/></port><port protocol="tcp" portid="445"><state state="open"/></port></ports>'
      + '<os><osmatch name="Microsoft Windows XP SP2" accuracy="95"><osclass><cpe>cpe:/o:microsoft:windows_xp::sp2</cpe></osclass></osmatch></os></host>');
  }
  return `<?xml version="1.0"?>\n<nmaprun start="1764547200">\n${hosts.join('\n')}\n</nmaprun>\n`;
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-exposure-'));
  try {
    const xml = join(dir, 'hosts.xml');
    writeFileSync(xml, nmapXml(HOSTS));
    const parse = child(PARSE_CHILD, [xml]) as { cpuMs: number; hosts: number; rssKb: number };
    const imp = child(IMPORT_CHILD, [xml, join(dir, 'vigil.db'), '2']) as { runs: { cpuMs: number; findings: number }[]; rssKb: number };
    const [first, again] = imp.runs;
    return [
      `${HOSTS} hosts (3 open ports, Windows XP OS match: ${first!.findings} findings from the knowledge base), CPU time:`,
      '',
      '| what | CPU s | hosts/s | peak RSS MB |',
      '|---|---|---|---|',
      `| parse only (saxes, observations built) | ${(parse.cpuMs / 1000).toFixed(2)} | ${Math.round(HOSTS / (parse.cpuMs / 1000))} | ${Math.round(parse.rssKb / 1024)} |`,
      `| first import (assets, KB matching, findings, one transaction) | ${(first!.cpuMs / 1000).toFixed(2)} | ${Math.round(HOSTS / (first!.cpuMs / 1000))} | ${Math.round(imp.rssKb / 1024)} |`,
      `| re-import (every asset and finding updated) | ${(again!.cpuMs / 1000).toFixed(2)} | ${Math.round(HOSTS / (again!.cpuMs / 1000))} | (same process) |`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
