// The persona's RemoteActivation answers by patch level (sensor.persona.rpcssPatch): the HRESULT
// each of the check's probes gets, the default that reveals nothing, and an exploit-sized server
// name that is always refused with the fault, never answered as a patch level.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationHresult, remoteActivationAnswer } from '../../src/sensor/persona/activation-answer.js';
import { HRESULT, decodeRemoteActivationResponse, encodeRemoteActivationRequest } from '../../src/protocols/dcerpc/interfaces/index.js';
import { NAME_A, NAME_B, NAME_C, checkRequestStub } from '../../src/scan/probes/ms03-026-check.js';
import { DEFAULT_PERSONA } from '../../src/sensor/sensor-types.js';

const { CO_E_BAD_PATH: BAD, REGDB_E_CLASSNOTREG: NOTREG } = HRESULT;

test('each probe gets the HRESULT of its patch level', () => {
  const table = { none: [NOTREG, NOTREG, NOTREG], KB823980: [BAD, BAD, BAD], KB824146: [NOTREG, BAD, NOTREG] } as const;
  for (const [patch, want] of Object.entries(table)) {
    assert.deepEqual([NAME_A, NAME_B, NAME_C].map((n) => activationHresult(n, patch as keyof typeof table)), want, patch);
  }
  assert.equal(activationHresult('notepad.exe', 'KB823980'), NOTREG, 'a name that is no UNC path goes to the class lookup');
});

test('undisclosed (the default) and an overlong server name get the access-denied fault', () => {
  assert.equal(activationHresult(NAME_A, 'undisclosed'), undefined);
  assert.deepEqual(remoteActivationAnswer(checkRequestStub(), true, DEFAULT_PERSONA), { kind: 'deny' });
  const exploitSized = `\\\\${'\u4141'.repeat(40)}\\x`;
  for (const p of ['none', 'KB823980', 'KB824146'] as const) assert.equal(activationHresult(exploitSized, p), undefined, p);
});

test('the answer is a 68-byte RemoteActivation response with phr at offset 44, in either byte order', () => {
  for (const le of [true, false]) {
    const stub = encodeRemoteActivationRequest({ clsid: '47495756-4c49-4843-4b00-000000000000', objectName: NAME_A, clientImpLevel: 0, mode: 0, iids: ['00000000-0000-0000-0000-000000000000'], protseqs: [] }, le);
    const a = remoteActivationAnswer(stub, le, { ...DEFAULT_PERSONA, rpcssPatch: 'none' });
    assert.equal(a.kind, 'response');
    if (a.kind !== 'response') return;
    assert.equal(a.stub.length, 68);
    const d = decodeRemoteActivationResponse(a.stub, le);
    assert.equal(d.complete, true);
    assert.equal(d.value.hr, NOTREG);
    assert.deepEqual(d.value.results, [NOTREG]);
    const view = Buffer.from(a.stub);
    assert.equal(le ? view.readUInt32LE(44) : view.readUInt32BE(44), NOTREG);
  }
  assert.deepEqual(remoteActivationAnswer(new Uint8Array(10), true, { ...DEFAULT_PERSONA, rpcssPatch: 'none' }), { kind: 'bad_stub' });
});
