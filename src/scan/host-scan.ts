// Everything the scanner does to one host: a TCP connect to each port (retried when nothing
// answered), then on the RPC ports the endpoint-mapper probes and the requested checks, and on the
// SMB ports the SMB probe (negotiate and NTLMSSP challenge) and the checks over \PIPE\epmapper.
// Every connection takes a pacer slot first.

import type { Socket } from 'node:net';
import type { CheckObservation, HostScanResult, PortObservation } from '../model/scan.js';
import { fingerprint } from './fingerprint.js';
import { SCAN_LIMITS } from './scan-limits.js';
import type { Pacer } from './pacer.js';
import { checkRemoteActivation } from './probes/ms03-026-check.js';
import { checkOverEpmapperPipe } from './probes/ms03-026-pipe-check.js';
import { RpcClient, type RpcClientLimits } from './probes/rpc-client.js';
import { probeEndpointMapper, type RpcProbeLimits, type RpcProbeResult } from './probes/rpc-probes.js';
import type { SmbClientLimits } from './probes/smb-client.js';
import { probeSmb, type SmbProbeResult } from './probes/smb-probe.js';
import { whenConnected, type Connector, type ProbeOutcome } from './probes/tcp-connect.js';

/** Service names nmap gives these ports (nmap-services). */
export const SERVICE_NAMES: Readonly<Record<number, string>> = { 135: 'msrpc', 139: 'netbios-ssn', 445: 'microsoft-ds', 593: 'http-rpc-epmap' };

/** Which ports get the endpoint-mapper probes: plain ncacn_ip_tcp (135) and ncacn_http (593, which
 * greets first). Tests and odd deployments name others (a sensor on an ephemeral port). */
export interface RpcPorts {
  readonly tcp: readonly number[];
  readonly http: readonly number[];
}
export const DEFAULT_RPC_PORTS: RpcPorts = { tcp: [135], http: [593] };
export const SMB_PORTS: ReadonlySet<number> = new Set([139, 445]);

/** The SMB probe on 139/445 (dialects, signing, OS strings, names, clock): given an open port and
 * a way to open paced connections to it. The default is probes/smb-probe.ts; tests may plug another. */
export type SmbProbe = (host: string, port: number, connect: () => Promise<Socket | undefined>, limits: SmbClientLimits) => Promise<SmbProbeResult>;

export const DEFAULT_SMB_LIMITS: SmbClientLimits = {
  replyTimeoutMs: SCAN_LIMITS.replyTimeoutMs.default, maxMessageBytes: SCAN_LIMITS.maxSmbMessageBytes.default, maxPipeReads: SCAN_LIMITS.maxPipeReads.default,
};

export interface HostScanContext {
  readonly pacer: Pacer;
  readonly connector: Connector;
  readonly ports: readonly number[];
  readonly rpcPorts: RpcPorts;
  /** Run the endpoint-mapper probes on 135/593. */
  readonly rpcProbes: boolean;
  readonly checks: readonly string[];
  readonly connectTimeoutMs: number;
  readonly retries: number;
  readonly rpcLimits: RpcClientLimits;
  readonly probeLimits: RpcProbeLimits;
  /** Bounds of the SMB conversations (default DEFAULT_SMB_LIMITS with the RPC reply timeout). */
  readonly smbLimits?: SmbClientLimits;
  /** Replaces the built-in SMB probe, which runs whenever `rpcProbes` does. */
  readonly smbProbe?: SmbProbe;
  readonly now: () => number;
}

/** The port's state by a handshake, retried while nothing answers; one pacer slot per attempt. */
async function probePort(ctx: HostScanContext, host: string, port: number): Promise<ProbeOutcome> {
  let last: ProbeOutcome = { state: 'filtered' };
  for (let attempt = 0; attempt <= ctx.retries; attempt++) {
    const release = await ctx.pacer.acquire(host);
    try {
      last = await ctx.connector.probe(host, port, ctx.connectTimeoutMs);
    } finally {
      release();
    }
    if (last.state !== 'filtered') return last;
  }
  return last;
}

/** Every port's state: with a connector that probes many at once, the ports go together under one
 * pacer grant (one promise per host instead of several per port); a port that did not answer is
 * retried on its own. */
async function probeAll(ctx: HostScanContext, host: string): Promise<ProbeOutcome[]> {
  const many = ctx.connector.probeMany;
  if (!many || ctx.ports.length > ctx.pacer.maxPerAcquire) return Promise.all(ctx.ports.map((port) => probePort(ctx, host, port)));
  const release = await ctx.pacer.acquire(host, ctx.ports.length);
  let out: ProbeOutcome[];
  try {
    out = await many.call(ctx.connector, host, ctx.ports, ctx.connectTimeoutMs);
  } finally {
    release();
  }
  if (ctx.retries > 0 && out.some((o) => o.state === 'filtered')) {
    out = await Promise.all(out.map(async (o, i) => (o.state === 'filtered' ? retryPort(ctx, host, ctx.ports[i]) : o)));
  }
  return out;
}

async function retryPort(ctx: HostScanContext, host: string, port: number): Promise<ProbeOutcome> {
  return probePort({ ...ctx, retries: ctx.retries - 1 }, host, port);
}

/** A connected socket to an open port for a conversation, paced like a probe (the slot is held
 * until the socket closes); undefined when it does not connect. */
function conversation(ctx: HostScanContext, host: string, port: number): () => Promise<Socket | undefined> {
  return async () => {
    const release = await ctx.pacer.acquire(host);
    const s = ctx.connector.open(host, port);
    s.once('close', release);
    return whenConnected(s, ctx.connectTimeoutMs);
  };
}

async function rpcOn(ctx: HostScanContext, host: string, port: number, socket: Socket, errors: string[]): Promise<RpcProbeResult | undefined> {
  const rpc = new RpcClient(socket, ctx.rpcLimits, ctx.rpcPorts.http.includes(port));
  try {
    const r = await probeEndpointMapper(rpc, ctx.probeLimits);
    errors.push(...r.errors.map((e) => `${port}: ${e}`));
    return r;
  } catch (e) {
    errors.push(`${port}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  } finally {
    rpc.close();
  }
}

export async function scanHost(ctx: HostScanContext, host: string): Promise<HostScanResult> {
  const errors: string[] = [];
  const outcomes = await probeAll(ctx, host);
  const ports: PortObservation[] = ctx.ports.map((port, i) => {
    const o = outcomes[i];
    if (o.error && o.state !== 'closed') errors.push(`${port}: ${o.error}`);
    const service = SERVICE_NAMES[port];
    return service ? { port, proto: 'tcp', state: o.state, service } : { port, proto: 'tcp', state: o.state };
  });
  const open = (p: number): boolean => ports.some((x) => x.port === p && x.state === 'open');
  // A host with nothing open is done: no conversation to have.
  if (!ports.some((p) => p.state === 'open')) return { address: host, scannedAt: ctx.now(), ports, ...(errors.length ? { errors } : {}) };
  // One endpoint mapper is enough: a plain one (135) when open, else one over ncacn_http (593).
  const rpcPort = ctx.rpcPorts.tcp.find(open) ?? ctx.rpcPorts.http.find(open);
  let rpc: RpcProbeResult | undefined;
  if (rpcPort !== undefined && ctx.rpcProbes) {
    const s = await conversation(ctx, host, rpcPort)();
    if (s) rpc = await rpcOn(ctx, host, rpcPort, s, errors);
    else errors.push(`${rpcPort}: open, but a second connection for the endpoint mapper failed`);
  }
  const checks: CheckObservation[] = [];
  if (rpcPort !== undefined && ctx.checks.length > 0) {
    const s = await conversation(ctx, host, rpcPort)();
    if (s) checks.push(...(await checkRemoteActivation(s, rpcPort, ctx.rpcLimits, ctx.rpcPorts.http.includes(rpcPort), ctx.checks)));
    else errors.push(`${rpcPort}: no second connection for the checks`);
  }
  // SMB: one port, 445 (direct) before 139 (NetBIOS), for the probe and for the pipe checks
  const smbPort = open(445) ? 445 : open(139) ? 139 : undefined;
  const smbLimits = ctx.smbLimits ?? { ...DEFAULT_SMB_LIMITS, replyTimeoutMs: ctx.rpcLimits.replyTimeoutMs };
  const smbProbe = ctx.smbProbe ?? (ctx.rpcProbes ? (_h: string, p: number, c: () => Promise<Socket | undefined>, l: SmbClientLimits) => probeSmb(p, c, l) : undefined);
  let smb: SmbProbeResult | undefined;
  if (smbProbe && smbPort !== undefined) {
    smb = await smbProbe(host, smbPort, conversation(ctx, host, smbPort), smbLimits);
    errors.push(...(smb.errors ?? []));
  }
  if (smbPort !== undefined && ctx.checks.length > 0) {
    checks.push(...(await checkOverEpmapperPipe(host, smbPort, conversation(ctx, host, smbPort), { rpc: ctx.rpcLimits, smb: smbLimits }, ctx.checks)));
  }
  const s = smb?.smb;
  const os = fingerprint({ ports, endpointCount: rpc?.endpoints?.length, interfaceCount: rpc?.interfaces?.length, comVersion: rpc?.comVersion, checks, smb: s });
  const hostname = rpc?.hostname ?? s?.netbiosComputer;
  // the domain as people write it: the DNS one of an Active Directory host, else the workgroup
  const domain = s?.dnsDomain?.includes('.') ? s.dnsDomain : s?.netbiosDomain ?? s?.dnsDomain;
  return {
    address: host,
    scannedAt: ctx.now(),
    ports,
    ...(rpc?.endpoints ? { endpoints: rpc.endpoints } : {}),
    ...(rpc?.interfaces ? { interfaces: rpc.interfaces } : {}),
    ...(hostname ? { hostname } : {}),
    ...(s?.netbiosComputer ? { netbiosName: s.netbiosComputer } : {}),
    ...(s?.dnsComputer ? { dnsName: s.dnsComputer } : {}),
    ...(domain ? { domain } : {}),
    ...(rpc?.addresses?.length ? { addresses: rpc.addresses } : {}),
    ...(s ? { smb: s } : {}),
    ...(os ? { os } : {}),
    ...(checks.length ? { checks } : {}),
    ...(errors.length ? { errors } : {}),
  };
}
