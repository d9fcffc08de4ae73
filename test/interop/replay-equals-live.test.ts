// "Replay equals live" (DESIGN.md's first principle, issue 11): every delivery variant of the
// MS03-026-shaped activation (inert filler), a connection that switches byte order and nmap's non-RPC
// probes (which the sensor answers with a bind_nak) are sent
// live to a running sensor on loopback while dumpcap captures the traffic on `lo`; replaying that
// capture must give the same calls, anomalies and exploit alerts as the live sensor recorded
// (ids, ports and timestamps masked). Needs root and dumpcap (Debian tshark); skips otherwise.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectPipeline } from '../../src/detect/detect-pipeline.js';
import type { Alert } from '../../src/model/alert.js';
import type { VigilEvent } from '../../src/model/event.js';
import { encodeBind, encodeRequest, TRANSFER_SYNTAX } from '../../src/protocols/dcerpc/index.js';
import { captureEvents } from '../../src/cli/commands/replay.js';
import { activationCall, deliveryVariants } from '../helpers/delivery-variants.js';
import { isRoot, skipWithoutPeer } from '../helpers/peers.js';
import { clientStreams } from '../helpers/client-streams.js';
import { CORPUS_DIR, skipWithoutCorpus } from '../helpers/paths.js';
import { existsSync, readdirSync } from 'node:fs';
import { startSensor, waitFor } from '../sensor/sensor-harness.js';

const skip = !isRoot() ? 'needs root to capture on lo (CI runs as root)' : skipWithoutPeer('dumpcap', 'tshark');
const addr = (i: number): string => `127.0.${10 + Math.floor(i / 200)}.${1 + (i % 200)}`;

/** A connection that binds little-endian and then sends its request big-endian. */
function byteOrderSwitch(): Uint8Array[] {
  const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
  const bind = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });
  const req = encodeRequest({ callId: 2, opnum: 3, stub: new Uint8Array(24).fill(0x41), littleEndian: false });
  return [bind, req];
}

interface Case { name: string; chunks: readonly Uint8Array[] }

/** The client side of the DCE/RPC connections in every corpus capture (a few per file). */
function corpusCases(): Case[] {
  const dir = join(CORPUS_DIR, 'dcerpc');
  if (!existsSync(dir)) return [];
  const out: Case[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.pcap(ng)?$/.test(n)).sort()) {
    clientStreams(join(dir, f), 8).forEach((chunks, i) => out.push({ name: `${f} connection ${i + 1}`, chunks }));
  }
  return out;
}

function cases(): Case[] {
  const text = (t: string): Uint8Array => new TextEncoder().encode(t);
  const out: Case[] = [
    { name: 'byte order switched after the bind', chunks: byteOrderSwitch() },
    // nmap -sV's probes are not DCE/RPC: the sensor answers a bind_nak, and the capture shows it
    { name: 'nmap probe GetRequest', chunks: [text('GET / HTTP/1.0\r\n\r\n')] },
    { name: 'nmap probe SMBProgNeg', chunks: [Uint8Array.from([0, 0, 0, 0xa4, 0xff, 0x53, 0x4d, 0x42, 0x72, 0, 0, 0, 0, 8, 1, 0x40, 0, 0, 0, 0, 0, 0, 0, 0])] },
    { name: 'a header past the frag limit', chunks: [Uint8Array.from([5, 0, 0, 3, 0x10, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])] },
  ];
  for (const kind of ['RemoteActivation', 'RemoteCreateInstance', 'RemoteGetClassObject'] as const) {
    for (const v of deliveryVariants(activationCall(kind))) out.push({ name: `${kind}: ${v.name}`, chunks: v.chunks });
  }
  return out;
}

/** dumpcap on lo for one TCP port, to a pcapng file; resolves once it is capturing. */
async function startCapture(port: number, file: string): Promise<{ stop(): Promise<void> }> {
  const p = spawn('dumpcap', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/Capturing on/.test(err)) resolve();
    });
    p.on('exit', (code) => reject(new Error(`dumpcap exited ${code}: ${err}`)));
  });
  return {
    stop: () => new Promise<void>((resolve) => {
      p.removeAllListeners('exit');
      p.on('exit', () => resolve());
      p.kill('SIGINT');
    }),
  };
}

/** Send one case's client segments on its own connection from its own source address. */
function send(port: number, localAddress: string, chunks: readonly Uint8Array[]): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 50));
      s.end();
    });
    s.on('close', () => resolve());
  });
}

/** What must agree, per source address: calls (names, opnum, anomalies, decoded activation),
 * anomalies on no call (DCE/RPC ones: the sensor's own, such as limits, have no capture twin),
 * and exploit alerts (rule, severity, title, CVEs). */
function digest(events: readonly VigilEvent[], alerts: readonly Alert[]): Map<string, unknown> {
  const by = new Map<string, { calls: unknown[]; anomalies: string[]; alerts: string[] }>();
  const of = (src: string): { calls: unknown[]; anomalies: string[]; alerts: string[] } => {
    let d = by.get(src);
    if (!d) by.set(src, (d = { calls: [], anomalies: [], alerts: [] }));
    return d;
  };
  for (const e of events) {
    of(e.src); // every connection has its entry, even one that raised nothing
    if (e.type === 'call') {
      const c = e.call;
      of(e.src).calls.push({ ifaceUuid: c.ifaceUuid, endpoint: c.endpoint, operation: c.operation, opnum: c.opnum, reqFrags: c.reqFrags, anomalies: c.anomalies.map((a) => a.name), activation: c.activation });
    } else if (e.type === 'anomaly' && e.anomaly.proto === 'dcerpc') of(e.src).anomalies.push(e.anomaly.name);
  }
  // the sensor names its base port (135) where the capture shows the test's ephemeral one: ports masked
  for (const a of alerts) of(a.src ?? '-').alerts.push(`${a.rule} ${a.severity} ${a.cves.join(',')} ${a.title.replace(/(\d):\d+\b/g, '$1:PORT')}`);
  for (const d of by.values()) {
    d.anomalies.sort();
    d.alerts.sort();
  }
  return by;
}

function exploitAlerts(events: readonly VigilEvent[]): Alert[] {
  const p = new DetectPipeline({ trw: false, threshold: false, surge: false });
  return [...events].sort((a, b) => a.ts - b.ts).flatMap((e) => p.push(e));
}

/** Send `all` live while capturing, replay the capture, and compare per source; returns both digests. */
async function liveAndReplay(all: readonly Case[]): Promise<{ live: Map<string, unknown>; replay: Map<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rel-'));
  const file = join(dir, 'live.pcapng');
  // per-source limits off: every case comes from the same /24 at full speed, as a capture replays it
  const h = await startSensor({ ports: [135], limits: { maxBytesPerSecondPerSource: 0 } });
  try {
    const port = h.port(135);
    const cap = await startCapture(port, file);
    // dumpcap says it is capturing a moment before its filter sees packets: a connection it may miss
    await new Promise((r) => setTimeout(r, 1000));
    await send(port, '127.0.9.1', [encodeBind({ callId: 1, contexts: [] })]);
    for (let i = 0; i < all.length; i++) await send(port, addr(i), all[i].chunks);
    await waitFor('every session recorded', () => h.sink.sessions.length >= all.length, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    await cap.stop();

    const live = h.sink.events;
    const replay = captureEvents(file).events;
    return { live: digest(live, exploitAlerts(live)), replay: digest(replay, exploitAlerts(replay)) };
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertSame(all: readonly Case[], liveDigest: Map<string, unknown>, replayDigest: Map<string, unknown>): void {
  liveDigest.delete('127.0.9.1');
  replayDigest.delete('127.0.9.1');
  const missing = all.map((c, i) => [c.name, addr(i)] as const).filter(([, a]) => !liveDigest.has(a) || !replayDigest.has(a));
  assert.deepEqual(missing.map(([n, a]) => `${n} (${a}): live ${liveDigest.has(a)}, replay ${replayDigest.has(a)}`), [], 'every case on both roads');
  for (let i = 0; i < all.length; i++) assert.deepEqual(replayDigest.get(addr(i)), liveDigest.get(addr(i)), `${all[i].name} (${addr(i)}): replay differs from live`);
}

test('replay equals live: calls, anomalies and exploit alerts of every delivery variant', { skip, timeout: 120_000 }, async () => {
  const all = cases();
  const { live: liveDigest, replay: replayDigest } = await liveAndReplay(all);
  {
    assertSame(all, liveDigest, replayDigest);
    const alerting = [...liveDigest.values()].filter((d) => (d as { alerts: string[] }).alerts.some((a) => a.startsWith('ms03_026'))).length;
    const activations = all.filter((c) => c.name.startsWith('Remote')).length;
    assert.ok(alerting >= activations, `${alerting} of ${activations} activation cases raise the MS03-026 alert`);
    for (const i of [1, 2, 3]) assert.ok((liveDigest.get(addr(i)) as { anomalies: string[] }).anomalies.length === 1, `${all[i].name}: one anomaly`);
    // the byte-order case is there on both roads
    const bo = liveDigest.get('127.0.10.1') as { anomalies: string[]; calls: { anomalies: string[] }[] };
    assert.ok([...bo.anomalies, ...bo.calls.flatMap((c) => c.anomalies)].includes('byte_order_changed'), JSON.stringify(bo));
  }
});

test('replay equals live: the client side of every corpus capture', { skip: skip || skipWithoutCorpus(), timeout: 180_000 }, async () => {
  const all = corpusCases();
  assert.ok(all.length >= 20, `${all.length} corpus connections`);
  const { live, replay } = await liveAndReplay(all);
  assertSame(all, live, replay);
});
