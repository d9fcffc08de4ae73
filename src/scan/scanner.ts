// The scanner as a library (naabu's runner with OnResult, zmap's probe modules): targets are checked
// against the scope before anything is sent, visited in a random permutation, paced, probed, and each
// host's HostScanResult is handed to `onResult`. Progress is reported, and the position is saved so an
// interrupted scan resumes where it stopped.

import { lookup } from 'node:dns/promises';
import { AppError } from '../core/errors.js';
import { resolveLimits } from '../core/limits.js';
import type { HostScanResult } from '../model/scan.js';
import { formatRange } from './ip-ranges.js';
import { Pacer } from './pacer.js';
import { CyclicPermutation } from './permutation.js';
import { DEFAULT_RPC_CLIENT_LIMITS } from './probes/rpc-client.js';
import { defaultConnector, type Connector } from './probes/tcp-connect.js';
import { threadedConnector } from './probes/probe-threads.js';
import { DEFAULT_RPC_PORTS, scanHost, type HostScanContext, type RpcPorts, type SmbProbe } from './host-scan.js';
import { SCAN_LIMITS, type ScanLimitName } from './scan-limits.js';
import { scanKey, type SavedScan, type ScanStateStore } from './scan-state.js';
import { resolveTargets, type Resolver, type Scope } from './scope.js';

export const DEFAULT_SCAN_PORTS: readonly number[] = [135, 139, 445, 593];
export const KNOWN_CHECKS: readonly string[] = ['ms03-026', 'ms03-039'];

export interface ScanProgress {
  readonly hostsDone: number;
  readonly hostsTotal: number;
  readonly hostsUp: number;
  readonly elapsedMs: number;
  /** Hosts per second so far. */
  readonly rate: number;
  /** Estimated milliseconds left, when there is a rate to go by. */
  readonly etaMs?: number;
}

export interface ScanOptions {
  readonly targets: readonly string[];
  readonly scope: Scope;
  readonly ports?: readonly number[];
  readonly checks?: readonly string[];
  /** Ports that speak DCE/RPC (default 135, and 593 over ncacn_http). */
  readonly rpcPorts?: RpcPorts;
  /** Endpoint mapper probes on 135/593 (default true); false leaves a connect scan. */
  readonly rpcProbes?: boolean;
  readonly limits?: Partial<Record<ScanLimitName, number>>;
  /** Report hosts with no open port too (default: only hosts with an open port). */
  readonly reportAll?: boolean;
  /** How connections are made (default: a bare handshake for port states, net.Socket to talk). */
  readonly connector?: Connector;
  /** Run the port-state probes on this many worker threads (0: on this thread). */
  readonly probeThreads?: number;
  readonly resolver?: Resolver;
  readonly smbProbe?: SmbProbe;
  /** Where the position is saved; `resume` continues the saved scan of the same parameters. */
  readonly state?: { readonly store: ScanStateStore; readonly resume: boolean };
  readonly signal?: AbortSignal;
  readonly onResult: (r: HostScanResult) => void | Promise<void>;
  readonly onProgress?: (p: ScanProgress) => void;
  /** How often onProgress is called and the state saved. */
  readonly progressEveryMs?: number;
  readonly now?: () => number;
}

export interface ScanSummary {
  readonly key: string;
  readonly hostsTotal: number;
  readonly hostsDone: number;
  readonly hostsUp: number;
  readonly elapsedMs: number;
  readonly resumed: boolean;
  /** Stopped by the signal before the end: the state file holds the position. */
  readonly interrupted: boolean;
  readonly targets: string;
}

const defaultResolver: Resolver = async (name) => (await lookup(name, { all: true })).map((a) => a.address);

function validatePorts(ports: readonly number[]): void {
  if (ports.length === 0) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'no ports to scan');
  for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `port ${p}: expected 1..65535`);
}

export async function runScan(o: ScanOptions): Promise<ScanSummary> {
  const limits = resolveLimits(SCAN_LIMITS, o.limits ?? {}, 'scan');
  const ports = [...new Set(o.ports ?? DEFAULT_SCAN_PORTS)];
  validatePorts(ports);
  const checks = [...new Set(o.checks ?? [])];
  for (const c of checks) if (!KNOWN_CHECKS.includes(c)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `unknown check ${c} (known: ${KNOWN_CHECKS.join(', ')})`);
  const now = o.now ?? Date.now;
  // Scope first: every target is checked (and every name resolved) before any socket opens.
  const space = await resolveTargets(o.targets, o.scope, o.resolver ?? defaultResolver, limits.maxTargets);
  const params = { targets: [...o.targets], ports, scope: o.scope.allow.map(formatRange), exclude: o.scope.exclude.map(formatRange), checks };
  const key = scanKey(params);
  let saved: SavedScan | undefined;
  if (o.state?.resume) {
    saved = o.state.store.load(key);
    if (!saved) throw new AppError('VIGIL_ERR_NOT_FOUND', `no saved scan of these targets, ports, scope and checks in ${o.state.store.directory} to resume`);
    if (saved.permutation.n !== space.size) throw new AppError('VIGIL_ERR_BAD_FILE', `saved scan ${key} covers ${saved.permutation.n} addresses, these targets ${space.size}: start afresh`);
  }
  const perm = saved ? CyclicPermutation.restore(saved.permutation) : CyclicPermutation.create(space.size);
  const startedAt = saved?.startedAt ?? now();
  const t0 = now();
  const threads = o.connector ? undefined : o.probeThreads && o.probeThreads > 0 ? threadedConnector(Math.min(o.probeThreads, 16), limits.connectTimeoutMs) : undefined;
  const pacer = new Pacer({ rate: limits.rate, maxInFlight: limits.maxInFlight, perHostInFlight: limits.perHostInFlight, perHostRate: limits.perHostRate });
  const ctx: HostScanContext = {
    pacer,
    connector: o.connector ?? threads ?? defaultConnector(),
    ports,
    rpcPorts: o.rpcPorts ?? DEFAULT_RPC_PORTS,
    rpcProbes: o.rpcProbes ?? true,
    checks,
    connectTimeoutMs: limits.connectTimeoutMs,
    retries: limits.retries,
    rpcLimits: { ...DEFAULT_RPC_CLIENT_LIMITS, replyTimeoutMs: limits.replyTimeoutMs, maxStubBytes: limits.maxStubBytes },
    probeLimits: { lookupPageSize: 500, maxLookupPages: limits.maxLookupPages, maxEndpoints: limits.maxEndpoints },
    smbLimits: { replyTimeoutMs: limits.replyTimeoutMs, maxMessageBytes: limits.maxSmbMessageBytes, maxPipeReads: limits.maxPipeReads },
    ...(o.smbProbe ? { smbProbe: o.smbProbe } : {}),
    now,
  };

  const doneBefore = saved?.hostsDone ?? 0;
  let hostsDone = doneBefore;
  let hostsUp = 0;
  // Hosts handed out and not yet finished, by order of issue, with the permutation position that
  // gives each: the first entry is the oldest, whose position is where a resume must start.
  const inFlight = new Map<number, { readonly position: number; done: boolean }>();
  let issued = 0;
  let doneInOrder = doneBefore;

  const save = (): void => {
    if (!o.state) return;
    const oldest = inFlight.values().next().value as { position: number } | undefined;
    const state = perm.state();
    o.state.store.save({
      version: 1, key, params,
      permutation: oldest ? { ...state, current: oldest.position, done: false } : state,
      hostsDone: doneInOrder, startedAt, savedAt: now(),
    });
  };
  const progress = (): ScanProgress => {
    const elapsedMs = now() - t0;
    const rate = elapsedMs > 0 ? ((hostsDone - doneBefore) * 1000) / elapsedMs : 0;
    const left = space.size - hostsDone;
    return { hostsDone, hostsTotal: space.size, hostsUp, elapsedMs, rate, ...(rate > 0 ? { etaMs: (left / rate) * 1000 } : {}) };
  };
  const timer = setInterval(() => {
    o.onProgress?.(progress());
    save();
  }, o.progressEveryMs ?? 1000);
  timer.unref();

  // Workers enough to keep every connection slot busy: each host uses up to perHostInFlight.
  const workers = Math.max(1, Math.min(space.size, Math.ceil(limits.maxInFlight / Math.min(ports.length, limits.perHostInFlight)) * 2));
  const worker = async (): Promise<void> => {
    for (;;) {
      if (o.signal?.aborted) return;
      const position = perm.position;
      const index = perm.next();
      if (index === undefined) return;
      const seq = issued++;
      const slot = { position, done: false };
      inFlight.set(seq, slot);
      const result = await scanHost(ctx, space.at(index));
      hostsDone++;
      if (result.ports.some((p) => p.state === 'open')) hostsUp++;
      if (o.reportAll || result.ports.some((p) => p.state === 'open')) await o.onResult(result);
      slot.done = true;
      // drop finished hosts from the front: the first unfinished one is the resume point
      for (const [k, v] of inFlight) {
        if (!v.done) break;
        inFlight.delete(k);
        doneInOrder++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    clearInterval(timer);
    await threads?.close();
  }
  const interrupted = o.signal?.aborted === true && hostsDone < space.size;
  if (o.state) {
    if (interrupted) save();
    else o.state.store.remove(key);
  }
  o.onProgress?.(progress());
  return { key, hostsTotal: space.size, hostsDone, hostsUp, elapsedMs: now() - t0, resumed: saved !== undefined, interrupted, targets: space.describe() };
}
