// "Replay equals live" (DESIGN.md's first principle, issue 11): every delivery variant of the
// MS03-026-shaped activation (inert filler), plus a connection that switches byte order, is sent
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
import { startSensor, waitFor } from '../sensor/sensor-harness.js';

const skip = !isRoot() ? 'needs root to capture on lo (CI runs as root)' : skipWithoutPeer('dumpcap', 'tshark');

/** A connection that binds little-endian and then sends its request big-endian. */
function byteOrderSwitch(): Uint8Array[] {
  const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
  const bind = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });
  const req = encodeRequest({ callId: 2, opnum: 3, stub: new Uint8Array(24).fill(0x41), littleEndian: false });
  return [bind, req];
}

interface Case { name: string; chunks: readonly Uint8Array[] }

function cases(): Case[] {
  const out: Case[] = [{ name: 'byte order switched after the bind', chunks: byteOrderSwitch() }];
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
        await new Promise((r) => setTimeout(r, 2));
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
    if (e.type === 'call') {
      const c = e.call;
      of(e.src).calls.push({ ifaceUuid: c.ifaceUuid, endpoint: c.endpoint, operation: c.operation, opnum: c.opnum, reqFrags: c.reqFrags, anomalies: c.anomalies.map((a) => a.name), activation: c.activation });
    } else if (e.type === 'anomaly' && e.anomaly.proto === 'dcerpc') of(e.src).anomalies.push(e.anomaly.name);
  }
  for (const a of alerts) of(a.src ?? '-').alerts.push(`${a.rule} ${a.severity} ${a.cves.join(',')} ${a.title}`);
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

test('replay equals live: calls, anomalies and exploit alerts of every delivery variant', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rel-'));
  const file = join(dir, 'live.pcapng');
  const h = await startSensor({ ports: [135] });
  try {
    const port = h.port(135);
    const cap = await startCapture(port, file);
    const all = cases();
    for (let i = 0; i < all.length; i++) await send(port, `127.0.${10 + Math.floor(i / 200)}.${1 + (i % 200)}`, all[i].chunks);
    await waitFor('every session recorded', () => h.sink.sessions.length >= all.length, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    await cap.stop();

    const live = h.sink.events;
    const replay = captureEvents(file).events;
    const liveDigest = digest(live, exploitAlerts(live));
    const replayDigest = digest(replay, exploitAlerts(replay));
    assert.equal(liveDigest.size, all.length, 'one source per case');
    assert.equal(replayDigest.size, liveDigest.size, 'the same sources on both roads');
    const alerting = [...liveDigest.values()].filter((d) => (d as { alerts: string[] }).alerts.some((a) => a.startsWith('ms03_026'))).length;
    assert.ok(alerting >= all.length - 1, `${alerting} of ${all.length} cases raise the MS03-026 alert`);
    for (let i = 0; i < all.length; i++) {
      const src = `127.0.${10 + Math.floor(i / 200)}.${1 + (i % 200)}`;
      assert.deepEqual(replayDigest.get(src), liveDigest.get(src), `${all[i].name} (${src}): replay differs from live`);
    }
    // the byte-order case is there on both roads, as an alert
    const bo = liveDigest.get('127.0.10.1') as { anomalies: string[]; calls: { anomalies: string[] }[] };
    assert.ok([...bo.anomalies, ...bo.calls.flatMap((c) => c.anomalies)].includes('byte_order_changed'), JSON.stringify(bo));
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
