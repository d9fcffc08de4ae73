// The SMB / NetBIOS / NTLMSSP codecs: decode from hex (nmap's own probe), encode to hex, round
// trips, every split of a framed stream, a table of must-fail inputs with their anomaly names, the
// named limits, and a seeded mutation loop in which every message is decoded or flagged, never thrown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Anomaly } from '../../../src/model/anomaly.js';
import { decodeNtlmssp, encodeAuthenticate, encodeChallenge, encodeNegotiate, ntlmsspIn, NTLM_FLAGS } from '../../../src/protocols/ntlm/ntlmssp.js';
import { encodeNbss, NbssFramer, NBSS } from '../../../src/protocols/smb/netbios-framer.js';
import { SmbConnection, type SmbMessage } from '../../../src/protocols/smb/smb-connection.js';
import { decodeSmb1 } from '../../../src/protocols/smb/smb1-decode.js';
import { encodeSmb1, negotiateRequest, readAndxRequest, readAndxResponse, sessionSetupRequest, treeConnectRequest, writeAndxRequest } from '../../../src/protocols/smb/smb1-encode.js';
import { SMB1_CMD, SMB1_FLAGS, SMB1_FLAGS2 } from '../../../src/protocols/smb/smb1-types.js';
import { decodeSmb2 } from '../../../src/protocols/smb/smb2-decode.js';
import { createRequestBody, createResponseBody, encodeSmb2, ioctlRequestBody, negotiateRequestBody, writeRequestBody } from '../../../src/protocols/smb/smb2-encode.js';
import { FSCTL_PIPE_TRANSCEIVE, SMB2_CMD, SMB2_FLAGS } from '../../../src/protocols/smb/smb2-types.js';
import { spnegoInitWith, spnegoResp } from '../../../src/protocols/smb/spnego.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** nmap-service-probes SMBProgNeg (what `nmap -sV` sends to 139/445), with its NetBIOS header. */
const NMAP_SMB_PROG_NEG = fromHex(
  '000000a4ff534d4272000000000801400000000000000000000000000000400600000100008100025043204e4554574f524b2050524f4752414d20312e3000024d4943524f534f4654204e4554574f524b5320312e303300024d4943524f534f4654204e4554574f524b5320332e3000024c414e4d414e312e3000024c4d312e325830303200025361' +
  '6d626100024e54204c414e4d414e20312e3000024e54204c4d20302e313200',
);

test('decode from hex: nmap SMBProgNeg is an SMB1 negotiate listing NT LM 0.12', () => {
  const msgs: SmbMessage[] = [];
  new SmbConnection({ onMessage: (_d, m) => msgs.push(m) }).feed('to_server', NMAP_SMB_PROG_NEG, 0);
  assert.equal(msgs.length, 1);
  const m = msgs[0];
  assert.ok(m.dialect === 1);
  assert.equal(m.isReply, false);
  const b = m.commands[0].body;
  assert.ok(b.kind === 'negotiate_request');
  assert.deepEqual(b.dialects, ['PC NETWORK PROGRAM 1.0', 'MICROSOFT NETWORKS 1.03', 'MICROSOFT NETWORKS 3.0', 'LANMAN1.0', 'LM1.2X002', 'Samba', 'NT LANMAN 1.0', 'NT LM 0.12']);
});

test('encode to hex: SMB1 negotiate, SMB2 negotiate body, NTLMSSP NEGOTIATE', () => {
  const smb1 = encodeSmb1({ mid: 1, flags2: 0xc853 }, [negotiateRequest(['NT LM 0.12'])]);
  assert.equal(hex(smb1), 'ff534d4272000000000053c8000000000000000000000000000000000000010000' + '0c00' + '024e54204c4d20302e313200');
  assert.equal(hex(negotiateRequestBody([0x0202, 0x0210])), '24000200010000000000000000000000000000000000000000000000000000000000000002021002');
  assert.equal(hex(encodeNegotiate({ flags: NTLM_FLAGS.UNICODE | NTLM_FLAGS.NTLM })), '4e544c4d5353500001000000010200000000000000000000000000000000000000000000000000000000000000000000'.slice(0, 80));
});

test('round trip: an SMB1 WriteAndX + ReadAndX chain, and a ReadAndX response', () => {
  const data = new Uint8Array(300).map((_, i) => i & 0xff);
  const req = encodeSmb1({ mid: 9, tid: 7, flags2: SMB1_FLAGS2.UNICODE }, [writeAndxRequest(0x4000, data, 0x000c), readAndxRequest(0x4000, 1024)]);
  const found: Anomaly[] = [];
  const m = decodeSmb1(req, 8, found)!;
  assert.deepEqual(found, []);
  assert.deepEqual(m.commands.map((c) => c.command), [SMB1_CMD.WRITE_ANDX, SMB1_CMD.READ_ANDX]);
  const w = m.commands[0].body;
  assert.ok(w.kind === 'write_request');
  assert.deepEqual([w.fid, w.writeMode, hex(w.data)], [0x4000, 0x000c, hex(data)]);
  const r = m.commands[1].body;
  assert.ok(r.kind === 'read_request' && r.maxCount === 1024);
  const resp = decodeSmb1(encodeSmb1({ mid: 9, flags: SMB1_FLAGS.REPLY }, [readAndxResponse(data)]), 8, found)!;
  const rb = resp.commands[0].body;
  assert.ok(rb.kind === 'read_response');
  assert.equal(hex(rb.data), hex(data));
});

test('round trip: SMB2 compound (create + ioctl) and a create response', () => {
  const fid = 'ffffffffffffffffffffffffffffffff';
  const msg = encodeSmb2([
    { header: { command: SMB2_CMD.CREATE, messageId: 4n, treeId: 1 }, body: createRequestBody('srvsvc') },
    { header: { command: SMB2_CMD.IOCTL, messageId: 5n, treeId: 1, flags: SMB2_FLAGS.RELATED }, body: ioctlRequestBody(FSCTL_PIPE_TRANSCEIVE, fid, Uint8Array.of(5, 0, 11, 3)) },
  ]);
  const found: Anomaly[] = [];
  const m = decodeSmb2(msg, 64, found);
  assert.deepEqual(found, []);
  assert.deepEqual(m.commands.map((c) => [c.header.command, c.header.messageId]), [[SMB2_CMD.CREATE, 4n], [SMB2_CMD.IOCTL, 5n]]);
  const c = m.commands[0].body;
  assert.ok(c.kind === 'create_request' && c.name === 'srvsvc');
  const io = m.commands[1].body;
  assert.ok(io.kind === 'ioctl_request' && io.ctlCode === FSCTL_PIPE_TRANSCEIVE && hex(io.input) === '05000b03');
  const resp = decodeSmb2(encodeSmb2([{ header: { command: SMB2_CMD.CREATE, messageId: 4n, flags: SMB2_FLAGS.SERVER_TO_REDIR }, body: createResponseBody('00112233445566778899aabbccddeeff', 0n) }]), 64, found);
  const rb = resp.commands[0].body;
  assert.ok(rb.kind === 'create_response' && rb.fileId === '00112233445566778899aabbccddeeff');
});

test('round trip: NTLMSSP challenge names and version, inside SPNEGO; authenticate (anonymous)', () => {
  const ch = encodeChallenge({
    flags: NTLM_FLAGS.UNICODE | NTLM_FLAGS.TARGET_INFO | NTLM_FLAGS.VERSION, targetName: 'CORP', serverChallenge: new Uint8Array(8).fill(7),
    targetInfo: { nbDomain: 'CORP', nbComputer: 'HONEY01', dnsDomain: 'corp', dnsComputer: 'honey01', timestamp: 132000000000000000n },
    version: { major: 6, minor: 1, build: 7601, revision: 15 },
  });
  const m = ntlmsspIn(spnegoResp(1, ch));
  assert.ok(m?.type === 2);
  assert.deepEqual([m.targetName, m.targetInfo.nbComputer, m.targetInfo.nbDomain, m.targetInfo.dnsComputer, m.targetInfo.timestamp, m.version], ['CORP', 'HONEY01', 'CORP', 'honey01', 132000000000000000n, { major: 6, minor: 1, build: 7601, revision: 15 }]);
  const auth = decodeNtlmssp(encodeAuthenticate({ flags: NTLM_FLAGS.UNICODE | NTLM_FLAGS.ANONYMOUS, domain: '', user: '', workstation: 'WS', lmResponse: new Uint8Array(1), ntResponse: new Uint8Array(0) }));
  assert.ok(auth?.type === 3 && auth.anonymous && auth.workstation === 'WS');
  const neg = ntlmsspIn(spnegoInitWith(encodeNegotiate({ flags: 0x62088215 })));
  assert.ok(neg?.type === 1 && neg.flags === 0x62088215);
});

test('split at every offset: the NetBIOS framer yields the same messages', () => {
  const msgs = [encodeSmb1({ mid: 1 }, [negotiateRequest(['NT LM 0.12'])]), encodeSmb2([{ header: { command: SMB2_CMD.WRITE, messageId: 2n }, body: writeRequestBody('00'.repeat(16), new Uint8Array(40).fill(9)) }]), new Uint8Array(0)];
  const stream = Buffer.concat([...msgs.map((m) => encodeNbss(m)), encodeNbss(new Uint8Array(0), NBSS.KEEPALIVE)]);
  const want = [...msgs.map(hex), ''];
  for (let cut = 0; cut <= stream.length; cut++) {
    const got: string[] = [];
    const f = new NbssFramer(1 << 20, (a) => assert.fail(a.name));
    for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) f.push(part, (_t, p) => got.push(hex(p)));
    assert.deepEqual(got, want, `cut at ${cut}`);
  }
});

/** Must-fail inputs: each is reported as its anomaly, nothing thrown. */
const MUST_FAIL: readonly [string, Uint8Array, string][] = [
  ['short SMB1', encodeNbss(fromHex('ff534d4272000000')), 'smb_truncated_message'],
  ['not SMB', encodeNbss(fromHex('474554202f20485454502f312e30')), 'smb_bad_protocol_id'],
  ['NetBIOS type 0x47 ("GET ")', fromHex('474554202f20485454502f312e300d0a0d0a'), 'nbss_unknown_type'],
  ['length over maxMessageBytes', fromHex('00ffffff ff534d42'), 'smb_message_too_long'],
  ['AndX offset pointing back', (() => {
    const m = encodeSmb1({ mid: 1 }, [sessionSetupRequest(new Uint8Array(4)), treeConnectRequest('\\\\H\\IPC$')]);
    m[32 + 1 + 2] = 10; // AndXOffset of the first command: into the header
    m[32 + 1 + 3] = 0;
    return encodeNbss(m);
  })(), 'smb_andx_offset_backwards'],
  ['SMB2 NextCommand past the end', (() => {
    const m = encodeSmb2([{ header: { command: SMB2_CMD.ECHO, messageId: 1n }, body: fromHex('04000000') }]);
    m[20] = 0xf8;
    return encodeNbss(m);
  })(), 'smb2_bad_next_command'],
  ['SMB3 transform header', encodeNbss(Uint8Array.from([0xfd, 0x53, 0x4d, 0x42, ...new Uint8Array(60)])), 'smb2_encrypted'],
];

for (const [name, bytes, anomaly] of MUST_FAIL) {
  test(`must fail: ${name} -> ${anomaly}`, () => {
    const got: string[] = [];
    const c = new SmbConnection({ limits: { maxMessageBytes: 65536 }, onAnomaly: (a) => got.push(a.name) });
    c.feed('to_server', bytes, 0);
    assert.ok(got.includes(anomaly), `got ${got.join(', ')}`);
  });
}

test('limits: pipes and pending requests past their caps are flagged once each and stay bounded', () => {
  const got: string[] = [];
  let opened = 0;
  const c = new SmbConnection({ limits: { maxPipes: 2, maxPendingRequests: 4 }, openPipe: () => ((opened++), undefined), onAnomaly: (a) => got.push(a.name) });
  for (let i = 0; i < 6; i++) {
    c.feed('to_server', encodeNbss(encodeSmb2([{ header: { command: SMB2_CMD.CREATE, messageId: BigInt(i) }, body: createRequestBody(`p${i}`) }])), 0);
  }
  for (let i = 0; i < 6; i++) {
    c.feed('to_client', encodeNbss(encodeSmb2([{ header: { command: SMB2_CMD.CREATE, messageId: BigInt(i), flags: SMB2_FLAGS.SERVER_TO_REDIR }, body: createResponseBody(`${i}`.padStart(32, '0'), 0n) }])), 0);
  }
  assert.equal(got.filter((n) => n === 'too_many_pending_requests').length, 2);
  assert.ok(got.includes('too_many_pipes'));
  assert.ok(c.openPipes <= 2);
  assert.equal(opened, 4); // the two oldest creates lost their requests
});

test('mutation loop: every mutated message is decoded or flagged, nothing thrown (seeded)', () => {
  let seed = 0x5eed;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const samples = [
    NMAP_SMB_PROG_NEG,
    encodeNbss(encodeSmb1({ mid: 3, flags2: SMB1_FLAGS2.UNICODE }, [writeAndxRequest(1, new Uint8Array(64).fill(0x41)), readAndxRequest(1, 100)])),
    encodeNbss(encodeSmb2([{ header: { command: SMB2_CMD.CREATE, messageId: 4n }, body: createRequestBody('lsarpc') }, { header: { command: SMB2_CMD.IOCTL, messageId: 5n, flags: SMB2_FLAGS.RELATED }, body: ioctlRequestBody(FSCTL_PIPE_TRANSCEIVE, 'ff'.repeat(16), new Uint8Array(32)) }])),
  ];
  let messages = 0;
  let flagged = 0;
  for (let i = 0; i < 3000; i++) {
    const m = Uint8Array.from(samples[i % samples.length]);
    for (let k = 0; k < 1 + rnd(4); k++) m[4 + rnd(m.length - 4)] = rnd(256);
    let decoded = 0;
    let anomalies = 0;
    const c = new SmbConnection({ onMessage: () => decoded++, onAnomaly: () => anomalies++ });
    c.feed('to_server', m, 0);
    c.close(1);
    if (decoded > 0) messages++;
    else flagged++;
    assert.ok(decoded > 0 || anomalies > 0 || m.length - 4 < ((m[1] << 16) | (m[2] << 8) | m[3]), `message ${i} neither decoded nor flagged`);
  }
  assert.ok(messages > 0 && messages + flagged === 3000);
});
