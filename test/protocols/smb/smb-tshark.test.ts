// tshark dissects what the SMB and NTLMSSP encoders write: a capture of SMB2 (negotiate, NTLMSSP
// challenge in SPNEGO, tree connect, create, FSCTL_PIPE_TRANSCEIVE carrying a DCE/RPC bind) and
// SMB1 negotiate messages on 445, read back with no malformed packet.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWithoutPeer } from '../../helpers/peers.js';
import { concat, ethernet, ipTcp, pcapFileHeader, pcapRecord } from '../../helpers/capture-writer.js';
import { encodeBind, TRANSFER_SYNTAX } from '../../../src/protocols/dcerpc/index.js';
import { encodeChallenge, encodeNegotiate, NTLM_FLAGS } from '../../../src/protocols/ntlm/ntlmssp.js';
import { encodeNbss } from '../../../src/protocols/smb/netbios-framer.js';
import { spnegoInitWith, spnegoResp } from '../../../src/protocols/smb/spnego.js';
import { encodeSmb1, negotiateRequest } from '../../../src/protocols/smb/smb1-encode.js';
import { createRequestBody, createResponseBody, encodeSmb2, ioctlRequestBody, negotiateRequestBody, sessionSetupRequestBody, sessionSetupResponseBody, treeConnectRequestBody } from '../../../src/protocols/smb/smb2-encode.js';
import { FSCTL_PIPE_TRANSCEIVE, SMB2_CMD, SMB2_FLAGS } from '../../../src/protocols/smb/smb2-types.js';

test('tshark reads our SMB2, SMB1 and NTLMSSP encodings without a malformed packet', { skip: skipWithoutPeer('tshark') }, () => {
  const bind = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: { uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188', versionMajor: 3, versionMinor: 0 }, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });
  const fid = '0123456789abcdef0123456789abcdef';
  const challenge = encodeChallenge({ flags: NTLM_FLAGS.UNICODE | NTLM_FLAGS.TARGET_INFO | NTLM_FLAGS.VERSION | NTLM_FLAGS.NTLM, targetName: 'CORP', serverChallenge: new Uint8Array(8).fill(1), targetInfo: { nbDomain: 'CORP', nbComputer: 'HONEY01' }, version: { major: 5, minor: 1, build: 2600, revision: 15 } });
  const c2s = (m: Uint8Array): [boolean, Uint8Array] => [true, encodeNbss(m)];
  const s2c = (m: Uint8Array): [boolean, Uint8Array] => [false, encodeNbss(m)];
  const reply = SMB2_FLAGS.SERVER_TO_REDIR;
  const msgs: [boolean, Uint8Array][] = [
    c2s(encodeSmb1({ mid: 1, flags2: 0xc801 }, [negotiateRequest(['NT LM 0.12'])])),
    c2s(encodeSmb2([{ header: { command: SMB2_CMD.NEGOTIATE, messageId: 1n }, body: negotiateRequestBody([0x0202, 0x0210]) }])),
    c2s(encodeSmb2([{ header: { command: SMB2_CMD.SESSION_SETUP, messageId: 2n }, body: sessionSetupRequestBody(spnegoInitWith(encodeNegotiate({ flags: 0x62088215 }))) }])),
    s2c(encodeSmb2([{ header: { command: SMB2_CMD.SESSION_SETUP, messageId: 2n, flags: reply, status: 0xc0000016, sessionId: 9n }, body: sessionSetupResponseBody(0, spnegoResp(1, challenge)) }])),
    c2s(encodeSmb2([{ header: { command: SMB2_CMD.TREE_CONNECT, messageId: 3n, sessionId: 9n }, body: treeConnectRequestBody('\\\\10.0.0.2\\IPC$') }])),
    c2s(encodeSmb2([{ header: { command: SMB2_CMD.CREATE, messageId: 4n, sessionId: 9n, treeId: 1 }, body: createRequestBody('srvsvc') }])),
    s2c(encodeSmb2([{ header: { command: SMB2_CMD.CREATE, messageId: 4n, flags: reply, sessionId: 9n, treeId: 1 }, body: createResponseBody(fid, 0n) }])),
    c2s(encodeSmb2([{ header: { command: SMB2_CMD.IOCTL, messageId: 5n, sessionId: 9n, treeId: 1 }, body: ioctlRequestBody(FSCTL_PIPE_TRANSCEIVE, fid, bind) }])),
  ];
  const seq = { c: 1000, s: 5000 };
  const records = msgs.map(([toServer, payload], i) => {
    const s = toServer
      ? { src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 445, seq: seq.c, ack: seq.s, payload }
      : { src: '10.0.0.2', dst: '10.0.0.1', sport: 445, dport: 50000, seq: seq.s, ack: seq.c, payload };
    if (toServer) seq.c += payload.length;
    else seq.s += payload.length;
    return pcapRecord(1_700_000_000 + i, 0, ethernet(ipTcp(s)));
  });
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-smb-')), 'ours.pcap');
  writeFileSync(path, concat([pcapFileHeader({ linkType: 1 }), ...records]));
  const out = execFileSync('tshark', ['-r', path, '-T', 'fields', '-E', 'separator=|', '-e', 'smb.cmd', '-e', 'smb2.cmd', '-e', 'ntlmssp.messagetype', '-e', 'smb2.filename', '-e', 'dcerpc.pkt_type', '-e', '_ws.malformed'], { encoding: 'utf8' });
  const rows = out.trim().split('\n').map((l) => l.split('|'));
  assert.equal(rows.length, msgs.length);
  assert.deepEqual(rows.map((r) => r[5]), rows.map(() => ''), 'no malformed packet');
  assert.equal(rows[0][0], '0x72');
  assert.deepEqual(rows.slice(1).map((r) => Number(r[1])), [0, 1, 1, 3, 5, 5, 11]);
  assert.deepEqual([Number(rows[2][2]), Number(rows[3][2])], [1, 2]); // NTLMSSP NEGOTIATE, CHALLENGE
  assert.equal(rows[5][3], 'srvsvc');
  assert.equal(Number(rows[7][4]), 11); // the bind inside the transceive
});
