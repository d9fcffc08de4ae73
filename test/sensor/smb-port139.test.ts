// Port 139 as Windows serves it (RFC 1002 4.3): SMB before a NetBIOS session request gets the
// five-byte negative session response (error 0x8F) and a close; after a session request the same
// negotiate is answered. SMB1 reply flags echo the request's (0x88 to flags 0x08).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNbss, NBSS } from '../../src/protocols/smb/netbios-framer.js';
import { encodeSmb1, negotiateRequest } from '../../src/protocols/smb/smb1-encode.js';
import { startSensor, openClient, readAll, type Harness } from './sensor-harness.js';

let h: Harness;
before(async () => {
  h = await startSensor({ ports: [139], persona: { hostname: 'NB01', domain: 'WG', os: 'windows-xp-sp2' } });
});
after(async () => {
  await h.stop();
});

const negotiate = encodeNbss(encodeSmb1({ flags: 0x08, flags2: 0x4001, pid: 1, mid: 1 }, [negotiateRequest(['NT LM 0.12'])]));

test('SMB before a session request on 139: negative session response 0x8F, then close', async () => {
  const s = await openClient(h.port(139));
  s.write(negotiate);
  const { data, closed } = await readAll(s);
  assert.equal(data.toString('hex'), '830000018f');
  assert.ok(closed);
});

test('after a session request the negotiate is answered (flags 0x88, names in UTF-16)', async () => {
  const s = await openClient(h.port(139));
  // called and calling names, first-level encoded (RFC 1001 14.1): 'A' pairs are spaces
  const name = Buffer.concat([Buffer.from([0x20]), Buffer.from('CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), Buffer.from([0])]);
  s.write(Buffer.concat([Buffer.from(encodeNbss(Buffer.concat([name, name]), NBSS.SESSION_REQUEST)), Buffer.from(negotiate)]));
  const { data } = await readAll(s, 1000);
  s.destroy();
  assert.equal(data.subarray(0, 4).toString('hex'), '82000000');
  const smb = data.subarray(8);
  assert.equal(smb.subarray(0, 4).toString('latin1'), '\xffSMB');
  assert.equal(smb[9], 0x88);
  assert.ok(smb.includes(Buffer.from('WG\0NB01\0', 'utf16le')));
});
