// Interop: one PDU of every type, in both byte orders and with NTLMSSP verifiers, written into a
// pcap by our encoder and dissected by tshark: no malformed packet, no expert error, fields as meant.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as d from '../../../src/protocols/dcerpc/index.js';
import { skipWithoutPeer } from '../../helpers/peers.js';
import { pcapFile, tcpSession } from './vectors/pcap-writer.js';

const S = { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };
const OBJ = '11111111-2222-3333-4444-555555555555';
const NULL_SYNTAX = { uuid: '00000000-0000-0000-0000-000000000000', versionMajor: 0, versionMinor: 0 };
/** A well-formed NTLMSSP NEGOTIATE (so tshark's NTLMSSP dissector has nothing to complain about). */
const NTLM_NEGOTIATE = new Uint8Array([...Buffer.from('NTLMSSP\0', 'latin1'), 1, 0, 0, 0, 0x07, 0x82, 0x08, 0xa2, ...new Uint8Array(16)]);
/** NTLMSSP message signature: version 1, 8 filler bytes of checksum, sequence number 0. */
const NTLM_VERIFIER = new Uint8Array([1, 0, 0, 0, ...new Uint8Array(8).fill(0x41), 0, 0, 0, 0]);

/** What we mean each PDU to say, as tshark field name -> value (only the fields we set). */
type Meant = Record<string, string>;

function session(le: boolean): { pdus: [boolean, Uint8Array, Meant][] } {
  const o = { littleEndian: le };
  const auth = (v: Uint8Array) => ({ authType: 10, authLevel: 6, authValue: v });
  const bo = le ? '1' : '0';
  const m = (ptype: number, callId: number, extra: Meant = {}): Meant => ({ 'dcerpc.drep.byteorder': bo, 'dcerpc.pkt_type': String(ptype), 'dcerpc.cn_call_id': String(callId), ...extra });
  return {
    pdus: [
      [true, d.encodeBind({ ...o, callId: 1, auth: auth(NTLM_NEGOTIATE), contexts: [{ ctxId: 0, abstractSyntax: S, transferSyntaxes: [d.TRANSFER_SYNTAX.NDR] }, { ctxId: 1, abstractSyntax: S, transferSyntaxes: [d.TRANSFER_SYNTAX.NDR64] }] }),
        m(11, 1, { 'dcerpc.cn_ctx_id': '0,1', 'dcerpc.cn_bind_to_uuid': `${S.uuid},${S.uuid}`, 'dcerpc.cn_bind_trans_id': `${d.TRANSFER_SYNTAX.NDR.uuid},${d.TRANSFER_SYNTAX.NDR64.uuid}`, 'dcerpc.auth_type': '10', 'dcerpc.auth_level': '6' })],
      [false, d.encodeBindAck({ ...o, callId: 1, secondaryAddress: '135', results: [{ result: 0, reason: 0, transferSyntax: d.TRANSFER_SYNTAX.NDR }, { result: 2, reason: 2, transferSyntax: NULL_SYNTAX }] }),
        m(12, 1, { 'dcerpc.cn_sec_addr': '135', 'dcerpc.cn_ack_result': '0,2' })],
      [true, d.encodeRequest({ ...o, callId: 2, ctxId: 0, opnum: 4, objectUuid: OBJ, stub: new Uint8Array(40).fill(0x41), auth: auth(NTLM_VERIFIER) }),
        m(0, 2, { 'dcerpc.opnum': '4', 'dcerpc.cn_ctx_id': '0', 'dcerpc.obj_id': OBJ, 'dcerpc.cn_alloc_hint': '40', 'dcerpc.auth_type': '10' })],
      [false, d.encodeResponse({ ...o, callId: 2, stub: new Uint8Array(12).fill(0x42), auth: auth(NTLM_VERIFIER) }), m(2, 2, { 'dcerpc.cn_alloc_hint': '12', 'dcerpc.auth_level': '6' })],
      [true, d.encodeRequest({ ...o, callId: 3, opnum: 99 }), m(0, 3, { 'dcerpc.opnum': '99' })],
      [false, d.encodeFault({ ...o, callId: 3, status: 0x1c010002, flags: 0x23 }), m(3, 3, { 'dcerpc.cn_status': '0x1c010002' })],
      [true, d.encodeAlterContext({ ...o, callId: 4, contexts: [{ ctxId: 2, abstractSyntax: S, transferSyntaxes: [d.TRANSFER_SYNTAX.NDR] }] }), m(14, 4, { 'dcerpc.cn_ctx_id': '2', 'dcerpc.cn_bind_to_uuid': S.uuid })],
      [false, d.encodeAlterContextResp({ ...o, callId: 4, results: [{ result: 0, reason: 0, transferSyntax: d.TRANSFER_SYNTAX.NDR }] }), m(15, 4, { 'dcerpc.cn_ack_result': '0' })],
      [true, d.encodeAuth3({ ...o, callId: 4, auth: auth(NTLM_NEGOTIATE) }), m(16, 4, { 'dcerpc.auth_type': '10' })],
      [true, d.encodeCoCancel({ ...o, callId: 5 }), m(18, 5)],
      [true, d.encodeOrphaned({ ...o, callId: 5 }), m(19, 5)],
      [false, d.encodeShutdown({ ...o, callId: 6 }), m(17, 6)],
      [true, d.encodeBind({ ...o, callId: 7, contexts: [] }), m(11, 7)],
      [false, d.encodeBindNak({ ...o, callId: 7, rejectReason: 4, signature: '90a7a8b6-0d47-4c05-b69f-2a0b2c35e4fa' }), m(13, 7, { 'dcerpc.cn_reject_reason': '4' })],
    ],
  };
}

const FIELDS = [
  'dcerpc.drep.byteorder', 'dcerpc.pkt_type', 'dcerpc.cn_call_id', 'dcerpc.cn_frag_len', 'dcerpc.cn_auth_len', 'dcerpc.opnum', 'dcerpc.cn_ctx_id',
  'dcerpc.cn_bind_to_uuid', 'dcerpc.cn_bind_trans_id', 'dcerpc.obj_id', 'dcerpc.auth_type', 'dcerpc.auth_level', 'dcerpc.cn_status',
  'dcerpc.cn_sec_addr', 'dcerpc.cn_ack_result', 'dcerpc.cn_reject_reason', 'dcerpc.cn_alloc_hint',
];

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('tshark dissects one PDU of every type, both byte orders, with auth verifiers, as we meant it', { skip: skipWithoutPeer('tshark') }, () => {
  const sessions = [session(true), session(false)];
  const records = sessions.flatMap((s, i) => tcpSession(50000 + i, 135, s.pdus.map(([fromClient, bytes]) => ({ fromClient, bytes })), 1_700_000_000 + i * 10));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dcerpc-'));
  try {
    const file = join(dir, 'every-type.pcap');
    writeFileSync(file, pcapFile(records));
    const verbose = tshark(['-r', file, '-V']);
    assert.doesNotMatch(verbose, /Malformed/i);
    assert.doesNotMatch(verbose, /Severity level: Error/);
    const warnings = verbose.match(/Expert Info \(Warning[^)]*\): [^\]]*/g) ?? [];
    assert.deepEqual([...new Set(warnings)], ['Expert Info (Warning/Sequence): Bind not acknowledged'], 'the only warning is the bind_nak itself');

    const args = ['-r', file, '-Y', 'dcerpc', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
    for (const f of FIELDS) args.push('-e', f);
    const rows = tshark(args).split('\n').filter(Boolean).map((l) => l.split('\t'));
    const meant = sessions.flatMap((s) => s.pdus);
    assert.equal(rows.length, meant.length, 'tshark sees every PDU');
    rows.forEach((row, i) => {
      const [, bytes, want] = meant[i];
      const got = Object.fromEntries(FIELDS.map((f, k) => [f, row[k]]));
      const h = d.decodeHeader(bytes)!;
      assert.equal(got['dcerpc.cn_frag_len'], String(bytes.length), `PDU ${i} frag_len`);
      assert.equal(got['dcerpc.cn_auth_len'], String(h.authLength), `PDU ${i} auth_len`);
      for (const [f, v] of Object.entries(want)) assert.equal(got[f], v, `PDU ${i} (${d.ptypeName(h.ptype)}) ${f}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
