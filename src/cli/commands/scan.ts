// `vigil scan TARGETS... [--ports] [--scope FILE] [--exclude LIST] [--rate N] [--check ms03-026]
// [--json] [-oX FILE] [--resume]`: wires the scanner library (src/scan) to the terminal: flags in,
// one line per host (or JSON lines) out, nmap XML to a file, progress with ETA on stderr when a TTY.

import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { PRIVATE_FILE_MODE } from '../../core/private-files.js';
import type { HostScanResult } from '../../model/scan.js';
import {
  DEFAULT_SCAN_PORTS, KNOWN_CHECKS, SCAN_LIMITS, Scope, ScanStateStore, scopeFileEntries, nmapXmlFooter, nmapXmlHeader, nmapXmlHost, progressLine, runScan,
  type ScanLimitName,
} from '../../scan/index.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import type { VigilConfig } from '../config.js';

interface ScanFlags {
  ports?: string;
  scope?: string;
  exclude: string[];
  rate?: string;
  maxInFlight?: string;
  timeout?: string;
  retries?: string;
  check: string[];
  rpcPort: string[];
  probeThreads?: string;
  rpc: boolean;
  json?: boolean;
  o?: string;
  outputXml?: string;
  resume?: boolean;
  allHosts?: boolean;
  progress?: boolean;
  save?: boolean;
}

const collect = (v: string, acc: string[]): string[] => [...acc, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

function usage(flag: string, msg: string): AppError {
  return new AppError('VIGIL_ERR_BAD_ARGUMENT', `${flag}: ${msg}`);
}

function intFlag(flag: string, v: string | undefined, limit: ScanLimitName): number | undefined {
  if (v === undefined) return undefined;
  const spec = SCAN_LIMITS[limit];
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < spec.min || n > spec.max) throw usage(flag, `expected an integer from ${spec.min} to ${spec.max} (${spec.unit}), got ${JSON.stringify(v)}`);
  return n;
}

function parsePorts(v: string | undefined): number[] {
  if (v === undefined) return [...DEFAULT_SCAN_PORTS];
  const out: number[] = [];
  for (const part of v.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const a = m ? Number(m[1]) : NaN;
    const b = m?.[2] !== undefined ? Number(m[2]) : a;
    if (!m || a < 1 || b > 65535 || b < a) throw usage('--ports', `expected ports 1..65535 or ranges a-b, comma-separated, got ${JSON.stringify(part)}`);
    for (let p = a; p <= b; p++) out.push(p);
  }
  return out;
}

/** A scope file: one address, CIDR or range per line; `#` starts a comment. */
/** nmap's `-oX FILE`: commander reads it as -o with the value "X", and FILE as a target; take FILE back. */
function xmlOutput(flags: ScanFlags, targets: string[], rawArgs: readonly string[]): string | undefined {
  if (flags.outputXml) return flags.outputXml;
  if (flags.o === undefined) return undefined;
  if (flags.o !== 'X') throw usage('-o', `only -oX FILE (nmap XML) is supported, got -o${flags.o}`);
  const at = rawArgs.findIndex((a, i) => a === '-oX' || (a === '-o' && rawArgs[i + 1] === 'X'));
  const file = at < 0 ? undefined : rawArgs[rawArgs[at] === '-oX' ? at + 1 : at + 2];
  const ti = file === undefined ? -1 : targets.indexOf(file);
  if (file === undefined || ti < 0) throw usage('-oX', 'expected a file name after -oX');
  targets.splice(ti, 1);
  return file;
}

/** The argv commander parsed (it keeps it on the root command, untyped). */
function rawArgsOf(cmd: Command): string[] {
  const root = cmd.parent as (Command & { rawArgs?: string[] }) | null;
  return root?.rawArgs ?? [];
}

function hostLine(r: HostScanResult): string {
  const open = r.ports.filter((p) => p.state === 'open').map((p) => p.port);
  const parts = [`${r.address}`, `open ${open.length ? open.join(',') : '-'}`];
  if (r.hostname) parts.push(`name ${r.hostname}`);
  if (r.endpoints) parts.push(`${r.endpoints.length} endpoints`);
  if (r.addresses?.length) parts.push(`addresses ${r.addresses.join(',')}`);
  if (r.os) parts.push(`os ${r.os.version ?? r.os.family} (${Math.round(r.os.confidence * 100)}%)`);
  for (const c of r.checks ?? []) parts.push(`${c.check} ${c.verdict.toUpperCase()}`);
  return parts.join('  ');
}

export function register(program: Command): void {
  const cmd = program
    .command('scan')
    .description('scan your own hosts for exposed Windows RPC/SMB ports, list their endpoints and check MS03-026 (loopback only unless --scope is given)')
    .argument('<targets...>', 'addresses, CIDR prefixes (10.0.0.0/24), ranges (10.0.0.1-20, a-b) or host names; IPv4 or IPv6')
    .option('--ports <list>', `ports and ranges to connect to (default ${DEFAULT_SCAN_PORTS.join(',')})`)
    .option('--scope <file>', 'scope file: the addresses, CIDRs and ranges you may scan, one per line (default: loopback only)')
    .option('--exclude <list>', 'addresses, CIDRs or ranges never to touch, even inside the scope (repeatable, comma-separated)', collect, [])
    .option('--rate <n>', `new connections per second, all hosts (default ${SCAN_LIMITS.rate.default})`)
    .option('--max-in-flight <n>', `connections open at once (default ${SCAN_LIMITS.maxInFlight.default})`)
    .option('--timeout <ms>', `TCP connect timeout (default ${SCAN_LIMITS.connectTimeoutMs.default})`)
    .option('--retries <n>', `extra attempts for a port that did not answer (default ${SCAN_LIMITS.retries.default})`)
    .option('--check <name>', `vulnerability check to run: ${KNOWN_CHECKS.join(', ')} (repeatable)`, collect, [])
    .option('--rpc-port <list>', 'more ports that speak DCE/RPC like 135 (e.g. a sensor on another port; repeatable)', collect, [])
    .option('--probe-threads <n>', 'run the port-state handshakes on N worker threads (0-16; default 0: this thread)')
    .option('--no-rpc', 'connect scan only: no endpoint-mapper probes on 135/593')
    .option('--json', 'one JSON object per host (HostScanResult) on stdout')
    .option('-o <X>', 'with X: -oX FILE writes nmap-compatible XML to FILE')
    .option('--output-xml <file>', 'nmap-compatible XML to FILE (same as -oX FILE)')
    .option('--resume', 'continue the interrupted scan of the same targets, ports, scope and checks (state in <dataDir>/scans)')
    .option('--all-hosts', 'report hosts with no open port too')
    .option('--save', 'also record the results as assets and findings in the data directory (a check that says patched closes its finding, vulnerable opens or reopens it); see `vigil findings`')
    .option('--no-progress', 'no progress line on stderr');
  addConfigOptions(cmd, ['dataDir']);
  cmd.addHelpText('after', '\nExamples:\n  vigil scan 127.0.0.1 --check ms03-026\n  vigil scan 10.20.0.0/16 --scope ./scope.txt --exclude 10.20.5.0/24 --rate 500 -oX scan.xml');
  cmd.action(async (targets: string[], flags: ScanFlags) => {
    // only --config and --data-dir: this command's --ports is not the sensor's
    const config = configFromOptions({ config: (flags as { config?: string }).config, dataDir: (flags as { dataDir?: string }).dataDir });
    const rest = [...targets];
    const xmlFile = xmlOutput(flags, rest, rawArgsOf(cmd));
    if (rest.length === 0) throw usage('<targets...>', 'no targets left to scan');
    const ports = parsePorts(flags.ports);
    const probeThreads = flags.probeThreads === undefined ? 0 : Number(flags.probeThreads);
    if (!/^\d+$/.test(flags.probeThreads ?? '0') || probeThreads > 16) throw usage('--probe-threads', `expected 0 to 16, got ${JSON.stringify(flags.probeThreads)}`);
    const extraRpc = flags.rpcPort.map((p) => {
      if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw usage('--rpc-port', `expected a port 1..65535, got ${JSON.stringify(p)}`);
      return Number(p);
    });
    for (const c of flags.check) if (!KNOWN_CHECKS.includes(c)) throw usage('--check', `unknown check ${JSON.stringify(c)} (known: ${KNOWN_CHECKS.join(', ')})`);
    const limits: Partial<Record<ScanLimitName, number>> = {};
    const set = (k: ScanLimitName, v: number | undefined): void => void (v !== undefined && (limits[k] = v));
    set('rate', intFlag('--rate', flags.rate, 'rate'));
    set('maxInFlight', intFlag('--max-in-flight', flags.maxInFlight, 'maxInFlight'));
    set('connectTimeoutMs', intFlag('--timeout', flags.timeout, 'connectTimeoutMs'));
    set('retries', intFlag('--retries', flags.retries, 'retries'));
    // a higher total rate given on the command line lifts the per-host pace with it, up to the total
    if (limits.rate !== undefined) limits.perHostRate = Math.max(SCAN_LIMITS.perHostRate.default, Math.min(limits.rate, SCAN_LIMITS.perHostRate.max));
    let scope: Scope;
    try {
      scope = Scope.of(flags.scope === undefined ? undefined : scopeFileEntries(flags.scope), flags.exclude);
    } catch (e) {
      if (e instanceof AppError && e.code === 'VIGIL_ERR_BAD_ARGUMENT') throw usage(e.message.startsWith('exclusion') ? '--exclude' : '--scope', e.message);
      throw e;
    }
    const tty = process.stderr.isTTY === true && flags.progress !== false;
    const start = Date.now();
    let fd: number | undefined;
    if (xmlFile) fd = openSync(xmlFile, 'w', PRIVATE_FILE_MODE);
    const ac = new AbortController();
    const onSigint = (): void => ac.abort();
    // results are kept only to be saved, and then once the scan is over: a finding is closed by a
    // whole rescan, and an interrupted one saves what it saw (what it did not see changes nothing)
    const seen: HostScanResult[] = [];
    process.once('SIGINT', onSigint);
    try {
      if (fd !== undefined) writeSync(fd, nmapXmlHeader(`vigil scan ${(rawArgsOf(cmd)).slice(3).join(' ')}`, ports, start));
      const summary = await runScan({
        probeThreads,
        targets: rest, scope, ports, checks: flags.check, rpcProbes: flags.rpc, rpcPorts: { tcp: [135, ...extraRpc], http: [593] }, limits, reportAll: flags.allHosts === true,
        state: { store: new ScanStateStore(join(config.dataDir, 'scans')), resume: flags.resume === true },
        signal: ac.signal,
        onResult: (r) => {
          if (flags.save) seen.push(r);
          if (fd !== undefined) writeSync(fd, nmapXmlHost(r, start));
          if (tty) process.stderr.write('\r\x1b[K');
          process.stdout.write(`${flags.json ? JSON.stringify(r) : hostLine(r)}\n`);
        },
        ...(tty ? { onProgress: (p) => process.stderr.write(`\r\x1b[K${progressLine(p)}`), progressEveryMs: 250 } : {}),
      });
      if (fd !== undefined) writeSync(fd, nmapXmlFooter(summary, Date.now()));
      if (tty) process.stderr.write('\n');
      const how = summary.interrupted ? `interrupted; resume with the same arguments and --resume` : 'done';
      process.stderr.write(`vigil: scan ${how}: ${summary.hostsDone}/${summary.hostsTotal} hosts, ${summary.hostsUp} with open ports, ${(summary.elapsedMs / 1000).toFixed(1)} s${summary.resumed ? ' (resumed)' : ''}\n`);
      if (flags.save) await saveResults(config, seen);
      if (summary.interrupted) process.exitCode = 130;
    } finally {
      process.removeListener('SIGINT', onSigint);
      if (fd !== undefined) closeSync(fd);
    }
  });
}

/** `--save`: the scan's hosts into assets and findings, as `vigil up`'s scheduled rescans do. */
async function saveResults(config: VigilConfig, results: readonly HostScanResult[]): Promise<void> {
  // loaded only here: the exposure store costs a large part of the command's start-up, which a
  // plain scan does not need
  const { openExposure } = await import('../exposure-wiring.js');
  const x = await openExposure(config, { create: true });
  try {
    const s = await x.service.applyScan(results);
    process.stderr.write(`vigil: saved ${results.length} host(s): ${s.assetsCreated} new asset(s), ${s.assetsUpdated} updated; findings ${s.findingsOpened} opened, ${s.findingsFixed} fixed, ${s.findingsReopened} reopened\n`);
  } finally {
    await x.close();
  }
}
