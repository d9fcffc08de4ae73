// The SMB persona on the wire, with a raw client: an XP persona answers NT LM 0.12 and drops SMB2
// (it predates it), a DoublePulsar-style Trans2 SESSION_SETUP gets STATUS_NOT_IMPLEMENTED and
// reaches the detectors as an anomaly event, and disk shares are refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSensor, openClient, readAll, waitFor } from './sensor-harness.js';
import { encodeNbss, NbssFramer } from '../../src/protocols/smb/netbios-framer.js';
import { decodeSmb1 } from '../../src/protocols/smb/smb1-decode.js';
import { encodeSmb1, negotiateRequest, transRequest } from '../../src/protocols/smb/smb1-encode.js';
import { SMB1_FLAGS2 } from '../../src/protocols/smb/smb1-types.js';
import { encodeSmb2, negotiateRequestBody } from '../../src/protocols/smb/smb2-encode.js';
import { SMB2_CMD } from '../../src/protocols/smb/smb2-types.js';
import type { Anomaly } from '../../src/model/anomaly.js';

function messages(data: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  new NbssFramer(1 << 20, () => undefined).push(data, (_t, p) => out.push(Uint8Array.from(p)));
  return out;
}

test('an XP persona answers NT LM 0.12 with its names, and a Trans2 SESSION_SETUP with STATUS_NOT_IMPLEMENTED (no implant)', async () => {
  const h = await startSensor({ ports: [445], persona: { os: 'windows-xp-sp1', hostname: 'XPBOX', domain: 'LAB' } });
  try {
    const s = await openClient(h.port(445));
    const flags2 = SMB1_FLAGS2.UNICODE | SMB1_FLAGS2.NT_STATUS; // no extended security: challenge, domain and server in the reply
    s.write(encodeNbss(encodeSmb1({ mid: 1, flags2 }, [negotiateRequest(['PC NETWORK PROGRAM 1.0', 'NT LM 0.12'])])));
    s.write(encodeNbss(encodeSmb1({ mid: 0x42, flags2 }, [transRequest({ sub: 'trans2', setup: [0x000e], params: new Uint8Array(12).fill(0x42) })])));
    setTimeout(() => s.end(), 300);
    const r = await readAll(s);
    const [neg, trans2] = messages(r.data).map((m) => decodeSmb1(m, 8, [])!);
    const nb = neg.commands[0].body;
    assert.ok(nb.kind === 'negotiate_response');
    assert.deepEqual([nb.dialectIndex, nb.domain, nb.server, nb.challenge?.length], [1, 'LAB', 'XPBOX', 8]);
    assert.deepEqual([trans2.header.status >>> 0, trans2.header.mid], [0xc0000002, 0x42]);
    const ev = await waitFor('the anomaly event', () => h.sink.events.find((e) => e.type === 'anomaly' && e.anomaly.name === 'trans2_session_setup'));
    assert.equal(ev.dport, 445);
  } finally {
    await h.stop();
  }
});

test('an XP persona drops SMB2, as a pre-Vista host does; a 7 persona answers it with SMB 2.1', async () => {
  const xp = await startSensor({ ports: [445], persona: { os: 'windows-xp-sp1' } });
  const w7 = await startSensor({ ports: [445], persona: { os: 'windows-7-sp1' } });
  try {
    const neg = encodeNbss(encodeSmb2([{ header: { command: SMB2_CMD.NEGOTIATE, messageId: 0n }, body: negotiateRequestBody([0x0202, 0x0210, 0x0300]) }]));
    const a = await openClient(xp.port(445));
    a.write(neg);
    const ra = await readAll(a);
    assert.deepEqual([ra.data.length, ra.closed], [0, true]);
    const b = await openClient(w7.port(445));
    b.write(neg);
    setTimeout(() => b.end(), 300);
    const rb = await readAll(b);
    const m = messages(rb.data)[0];
    assert.equal(Buffer.from(m.subarray(0, 4)).toString('latin1'), '\xfeSMB');
    assert.equal(m[64 + 4] | (m[64 + 5] << 8), 0x0210); // DialectRevision
  } finally {
    await xp.stop();
    await w7.stop();
  }
});

test('the persona never opens a disk share or a pipe it does not have', async () => {
  const { SmbConnection } = await import('../../src/protocols/smb/smb-connection.js');
  const h = await startSensor({ ports: [445], persona: { os: 'windows-7-sp1' } });
  try {
    const { treeConnectRequestBody } = await import('../../src/protocols/smb/smb2-encode.js');
    const s = await openClient(h.port(445));
    s.write(encodeNbss(encodeSmb2([{ header: { command: SMB2_CMD.TREE_CONNECT, messageId: 1n }, body: treeConnectRequestBody('\\\\h\\C$') }])));
    setTimeout(() => s.end(), 300);
    const r = await readAll(s);
    const statuses: number[] = [];
    const anomalies: Anomaly[] = [];
    new SmbConnection({ onMessage: (_d, msg) => { if (msg.dialect === 2) for (const c of msg.commands) statuses.push(c.header.status >>> 0); }, onAnomaly: (a) => anomalies.push(a) }).feed('to_client', r.data, 0);
    assert.deepEqual(statuses, [0xc0000022]); // STATUS_ACCESS_DENIED
  } finally {
    await h.stop();
  }
});
