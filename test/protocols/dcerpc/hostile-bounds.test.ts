// A hostile peer's stream against the codec's own bounds: one call cannot raise an anomaly per
// fragment without end, one connection cannot report more than its limit, and a header that
// claims 65,535 bytes costs what arrived, not what it claims.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Anomaly } from '../../../src/model/anomaly.js';
import type { CallRecord } from '../../../src/model/call.js';
import { DcerpcConnection, DcerpcFramer, encodeBind, encodeRequest, PFC, TRANSFER_SYNTAX } from '../../../src/protocols/dcerpc/index.js';

const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };

/** A first fragment, then `n` middle fragments whose opnum and context id alternate (each one
 * disagrees with the first: two anomalies per fragment before the bounds), then the last. */
function alternatingFragments(n: number): Uint8Array[] {
  const out: Uint8Array[] = [encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] })];
  const stub = new Uint8Array(8).fill(0x41);
  out.push(encodeRequest({ callId: 7, opnum: 2, ctxId: 0, stub, flags: PFC.FIRST_FRAG }));
  for (let i = 0; i < n; i++) out.push(encodeRequest({ callId: 7, opnum: 3 + (i % 2), ctxId: 1 + (i % 2), stub, flags: 0 }));
  out.push(encodeRequest({ callId: 7, opnum: 2, ctxId: 0, stub, flags: PFC.LAST_FRAG }));
  return out;
}

function run(pdus: Uint8Array[], limits?: Record<string, number>): { reported: Anomaly[]; calls: CallRecord[]; onCall: number } {
  const reported: Anomaly[] = [];
  const calls: CallRecord[] = [];
  let onCall = 0;
  const c = new DcerpcConnection({ limits, onAnomaly: (a, _d, carried) => { reported.push(a); if (carried) onCall++; }, onCall: (r) => calls.push(r) });
  for (const p of pdus) c.feed('to_server', p, 1000);
  c.close(2000);
  return { reported, calls, onCall };
}

test('fragments alternating opnum and context: the call keeps maxAnomaliesPerCall and one count', () => {
  const pdus = alternatingFragments(20_000);
  const all = run(pdus, { maxAnomaliesPerCall: 65_536, maxAnomaliesPerConnection: 1_000_000 }).calls[0].anomalies.length;
  assert.ok(all > 40_000, `${all} anomalies without the bounds`);
  const { reported, calls } = run(pdus);
  assert.equal(calls.length, 1);
  const list = calls[0].anomalies;
  assert.equal(list.length, 33, 'the default 32 kept, plus the summary');
  const summary = list[32];
  assert.equal(summary.name, 'too_many_anomalies');
  assert.equal(summary.detail, `${all - 32} more anomalies on call 7 counted, not kept (maxAnomaliesPerCall 32)`);
  // what was not kept on the call was not reported either: the call's count says it
  assert.equal(reported.length, 32);
});

test('the connection reports at most maxAnomaliesPerConnection, then one count when it closes', () => {
  // garbage runs between valid PDUs: one anomaly pair per run, each on no call
  const bind = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });
  const pdus: Uint8Array[] = [];
  for (let i = 0; i < 500; i++) pdus.push(new Uint8Array([0x41, 0x41]), bind);
  const { reported } = run(pdus, { maxAnomaliesPerConnection: 100 });
  assert.equal(reported.length, 101);
  const last = reported[100];
  assert.equal(last.name, 'too_many_anomalies');
  assert.match(last.detail ?? '', /counted, not reported \(maxAnomaliesPerConnection 100\)/);
  const n = Number(/^(\d+) more/.exec(last.detail ?? '')?.[1]);
  assert.equal(n + 100, 500 * 2, 'every anomaly is reported or counted');
});

test('each anomaly is reported once, flagged when its call record carries it', () => {
  // a request on a context never bound (carried by the call) after a garbage run (not on any call)
  const pdus = [new Uint8Array([0x41, 0x41]), encodeRequest({ callId: 3, opnum: 0, ctxId: 9, stub: new Uint8Array(4) })];
  const { reported, calls, onCall } = run(pdus);
  const onCallNames = calls.flatMap((c) => c.anomalies.map((a) => a.name));
  assert.deepEqual(onCallNames, ['request_on_unknown_context']);
  assert.equal(onCall, 1);
  assert.deepEqual(reported.map((a) => a.name).sort(), ['bad_version', 'request_on_unknown_context', 'resync_garbage_skipped']);
});

test('a call at exactly the limit gets no summary', () => {
  const pdus = alternatingFragments(10);
  const all = run(pdus, { maxAnomaliesPerCall: 65_536 }).calls[0].anomalies.length;
  const { calls } = run(pdus, { maxAnomaliesPerCall: all });
  assert.equal(calls[0].anomalies.length, all);
  assert.ok(!calls[0].anomalies.some((a) => a.name === 'too_many_anomalies'));
});

test('framer: a header claiming 65,535 bytes holds what arrived, growing with the data', () => {
  const f = new DcerpcFramer();
  const header = Buffer.from('05000003100000000000ffff00000000', 'hex');
  header.writeUInt16LE(65535, 8);
  const pdus: number[] = [];
  f.push(header, (p) => pdus.push(p.length));
  assert.ok(f.buffered <= 256, `holds ${f.buffered} bytes after a 16-byte header`);
  f.push(new Uint8Array(1000), (p) => pdus.push(p.length));
  assert.ok(f.buffered >= 1016 && f.buffered <= 4096, `holds ${f.buffered} after 1,016 bytes`);
  // the rest arrives in small pieces; the PDU comes out whole and the carry is never above the claim
  let sent = 1016;
  while (sent < 65535) {
    const n = Math.min(1460, 65535 - sent);
    f.push(new Uint8Array(n), (p) => pdus.push(p.length));
    assert.ok(f.buffered <= 65535);
    sent += n;
  }
  assert.deepEqual(pdus, [65535]);
  assert.equal(f.buffered, 0);
});
