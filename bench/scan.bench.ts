// Scanner benchmark, beside nmap in the same run: (1) a connect scan of 135,139,445,593 over
// 127.0.0.0/16 (`vigil scan --no-rpc` against `nmap -sT -T5 -n -Pn`), rate and open-port sets;
// (2) the full probe set (endpoints, mgmt, ServerAlive2, MS03-026/039 checks) over 4,096 loopback
// addresses answered by one persona on 0.0.0.0 (an ephemeral port, so no other test's 135 is in
// the way), with the scanner's peak RSS. Personas run in a child process; each scan is its own process.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sensor } from '../src/sensor/sensor.js';

export const title = 'Scanner: connect scan and full probe set beside nmap -sT';

const PERSONA_FLAG = '--scan-bench-persona';
const here = fileURLToPath(import.meta.url);
const CLI = join(here, '..', '..', 'src', 'cli', 'main.js');
const RUNS = 3;
/** Personas the /16 connect scan must find: specific loopback addresses inside 127.0.0.0/16. */
const PART1_HOSTS = ['127.0.7.7', '127.0.99.1'];
const PART2_RANGE = '127.1.0.0/20';
/** Probe threads for the /16 connect scan (VIGIL_BENCH_SCAN_THREADS; 2, one per core of the bench machine: 1.6x nmap by wall against 0.86x on the scanner thread alone in the same quiet hour). */
const THREADS_N = Number(process.env.VIGIL_BENCH_SCAN_THREADS ?? 2);
const THREADS_ARGS = THREADS_N > 0 ? ['--probe-threads', String(THREADS_N)] : [];
const THREADS = THREADS_N > 0 ? ` --probe-threads ${THREADS_N}` : '';

// ---------------------------------------------------------------- persona (child process)

async function personaMain(): Promise<void> {
  const sensors: Sensor[] = [];
  const ports: Record<string, number> = {};
  const sink = { write: () => undefined };
  for (const h of PART1_HOSTS) {
    const s = new Sensor({ hosts: [h], ports: [135, 445], persona: { hostname: 'BENCH01', rpcssPatch: 'none' }, sink });
    try {
      await s.start();
      sensors.push(s);
    } catch {
      // another process holds 0.0.0.0:135 or :445: part 1 then finds whatever that is
    }
  }
  const all = new Sensor({ hosts: ['0.0.0.0'], ports: [135], ephemeralPorts: true, persona: { hostname: 'BENCH02', rpcssPatch: 'KB823980' }, sink, limits: { maxConnections: 4096, maxConnectionsPerSource: 4096 } });
  await all.start();
  ports.all = all.portFor(135)!;
  process.stdout.write(`${JSON.stringify({ ports, part1: sensors.length })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void Promise.all([...sensors, all].map((s) => s.stop())).then(() => process.exit(0)));
}

// ---------------------------------------------------------------- bench (parent process)

interface Timed {
  ms: number;
  out: string;
  err: string;
}

function timed(cmd: string, args: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}` } });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, out: Buffer.concat(out).toString(), err }) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-500)}`))));
  });
}

/** Open (address, port) pairs of nmap XML. */
function nmapOpen(xml: string): Set<string> {
  const set = new Set<string>();
  for (const host of xml.split('<host ').slice(1)) {
    const addr = /<address addr="([^"]+)" addrtype="ipv[46]"/.exec(host)?.[1];
    for (const m of host.matchAll(/<port protocol="tcp" portid="(\d+)"><state state="open"/g)) set.add(`${addr}:${m[1]}`);
  }
  return set;
}

function vigilOpen(jsonLines: string): Set<string> {
  const set = new Set<string>();
  for (const line of jsonLines.split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as { address: string; ports: { port: number; state: string }[] };
    for (const p of r.ports) if (p.state === 'open') set.add(`${r.address}:${p.port}`);
  }
  return set;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function benchMain(): Promise<string> {
  const persona = spawn(process.execPath, [here, PERSONA_FLAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise<{ ports: { all: number }; part1: number }>((resolve, reject) => {
    let out = '';
    persona.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    persona.once('exit', (code) => reject(new Error(`persona exited ${code}`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scan-bench-'));
  const scope = join(dir, 'scope.txt');
  writeFileSync(scope, '127.0.0.0/8\n');
  const lines: string[] = [];
  try {
    // ---- part 1: connect scan of the /16
    const ports = '135,139,445,593';
    const vArgs = [CLI, 'scan', '127.0.0.0/16', '--scope', scope, '--ports', ports, '--no-rpc', '--rate', '1000000', '--max-in-flight', '1024', '--retries', '0', ...THREADS_ARGS, '--json', '--no-progress', '--data-dir', join(dir, 'data')];
    const nArgs = ['-sT', '-T5', '-n', '-Pn', '-p', ports, '127.0.0.0/16', '-oX', join(dir, 'nmap.xml')];
    const ours: number[] = [];
    const theirs: number[] = [];
    // CPU seconds (user + system, all threads) of each process: on a shared machine the wall time
    // follows other sessions' load, the CPU time much less
    const oursCpu: number[] = [];
    const theirsCpu: number[] = [];
    const cpuOf = (err: string): number => {
      const m = /cpu ([\d.]+) ([\d.]+)/.exec(err);
      return m ? Number(m[1]) + Number(m[2]) : NaN;
    };
    let same = true;
    let openCount = 0;
    for (let i = 0; i < RUNS; i++) {
      const v = await timed('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, ...vArgs]);
      ours.push(v.ms);
      oursCpu.push(cpuOf(v.err));
      const n = await timed('/usr/bin/time', ['-f', 'cpu %U %S', 'nmap', ...nArgs]);
      theirs.push(n.ms);
      theirsCpu.push(cpuOf(n.err));
      const a = vigilOpen(v.out);
      const b = nmapOpen(readFileSync(join(dir, 'nmap.xml'), 'utf8'));
      openCount = a.size;
      if (a.size !== b.size || [...a].some((x) => !b.has(x))) {
        same = false;
        lines.push(`- run ${i + 1}: open sets differ: vigil ${a.size} (${[...a].filter((x) => !b.has(x)).slice(0, 5).join(' ')}), nmap ${b.size} (${[...b].filter((x) => !a.has(x)).slice(0, 5).join(' ')})`);
      }
    }
    const probes = 65536 * 4;
    const vr = probes / (median(ours) / 1000);
    const nr = probes / (median(theirs) / 1000);
    const table = [
      '| connect scan, 127.0.0.0/16 x 4 ports (262,144 attempts) | wall (median of ' + RUNS + ') | attempts/s | CPU s (user+sys, median) | open ports found |',
      '|---|---|---|---|---|',
      `| \`vigil scan --no-rpc --rate 1000000 --max-in-flight 1024 --retries 0${THREADS}\` | ${(median(ours) / 1000).toFixed(1)} s | ${fmt(vr)} | ${median(oursCpu).toFixed(1)} | ${openCount} |`,
      `| \`nmap -sT -T5 -n -Pn\` | ${(median(theirs) / 1000).toFixed(1)} s | ${fmt(nr)} | ${median(theirsCpu).toFixed(1)} | ${openCount} |`,
      '',
      `Runs (wall s, vigil / nmap): ${ours.map((x, i) => `${(x / 1000).toFixed(1)} / ${(theirs[i] / 1000).toFixed(1)}`).join('; ')}. CPU ratio nmap/vigil (higher is better for vigil): **${(median(theirsCpu) / median(oursCpu)).toFixed(2)}x**.`,
    ];
    lines.unshift(...table, '', `Rate ratio vigil/nmap: **${(vr / nr).toFixed(2)}x** (target >= 1.0x). Open-port sets identical in every run: **${same ? 'yes' : 'no'}** (personas on ${PART1_HOSTS.join(', ')} ports 135, 445: ${ready.part1} of ${PART1_HOSTS.length} started; anything else listening on the machine shows in both). Wall times are whole processes (start-up included) for both.`);

    // ---- part 2: full probe set over 4,096 addresses
    const p = String(ready.ports.all);
    const fArgs = [CLI, 'scan', PART2_RANGE, '--scope', scope, '--ports', `${p},139,445,593`, '--rpc-port', p, '--check', 'ms03-026', '--check', 'ms03-039', '--rate', '1000000', '--max-in-flight', '512', '--retries', '0', '--json', '--no-progress', '--data-dir', join(dir, 'data')];
    const f = await timed('/usr/bin/time', ['-f', 'peak RSS %M', process.execPath, ...fArgs]);
    const hosts = f.out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { endpoints?: unknown[]; hostname?: string; checks?: { check: string; verdict: string }[] });
    const rss = /peak RSS (\d+)/.exec(f.err)?.[1];
    const withAll = hosts.filter((h) => (h.endpoints?.length ?? 0) > 0 && h.hostname === 'BENCH02' && h.checks?.some((c) => c.check === 'ms03-026' && c.verdict === 'patched')).length;
    const n2 = await timed('nmap', ['-sT', '-T5', '-n', '-Pn', '-p', `${p},139,445,593`, PART2_RANGE, '-oX', join(dir, 'nmap2.xml')]);
    const open2 = nmapOpen(readFileSync(join(dir, 'nmap2.xml'), 'utf8'));
    lines.push(
      '',
      '| full probe set, 127.1.0.0/20 (4,096 hosts; one persona on 0.0.0.0:' + p + ') | wall | hosts/s | hosts with endpoints + ServerAlive2 name + MS03-026 verdict | peak RSS |',
      '|---|---|---|---|---|',
      `| \`vigil scan --rpc-port ${p} --check ms03-026 --check ms03-039 --rate 1000000 --max-in-flight 512\` (per host: connect x4, bind, ept_lookup, inq_if_ids, ServerAlive2, 3 RemoteActivation) | ${(f.ms / 1000).toFixed(1)} s | ${fmt(4096 / (f.ms / 1000))} | ${withAll} of ${hosts.length} | ${rss ? `${(Number(rss) / 1024).toFixed(0)} MiB` : 'n/a'} |`,
      `| \`nmap -sT -T5 -n -Pn\` (connect only, same targets and ports: ${open2.size} open) | ${(n2.ms / 1000).toFixed(1)} s | ${fmt(4096 / (n2.ms / 1000))} | - | - |`,
    );
  } finally {
    persona.stdin!.end();
    await new Promise((r) => persona.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  return lines.join('\n');
}

export const run = benchMain;

if (process.argv[2] === PERSONA_FLAG) void personaMain();
