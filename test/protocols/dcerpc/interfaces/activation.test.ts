// DCOM activation codec tests: RemoteActivation and ISystemActivator requests built with inert
// filler names, decoded back in both byte orders; every declared size tampered is reported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader } from '../../../../src/core/byte-reader.js';
import {
  IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, activationProperties, decodeActivationBlob, decodeRemoteActivationRequest, decodeRequestStub, decodeSystemActivatorRequest, encodeActivationBlob,
  encodeRemoteActivationRequest, encodeRemoteCreateInstanceRequest, encodeRemoteGetClassObjectRequest, uncServer,
} from '../../../../src/protocols/dcerpc/interfaces/index.js';

const CLSID = '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57';
// Inert test names: long UNC server components of filler letters, nothing executable.
const longServer = 'A'.repeat(600);
const uncName = `\\\\${longServer}\\c$\\x.doc`;

test('uncServer extracts the server component and its length', () => {
  assert.deepEqual(uncServer('\\\\HOST\\share\\f'), { server: 'HOST', length: 4 });
  assert.deepEqual(uncServer('//B/x'), { server: 'B', length: 1 });
  assert.deepEqual(uncServer('\\\\only'), { server: 'only', length: 4 });
  assert.equal(uncServer('C:\\x'), undefined);
  assert.equal(uncServer(undefined), undefined);
});

for (const le of [true, false]) {
  const order = le ? 'little-endian' : 'big-endian';

  test(`RemoteActivation request round trip with a long UNC object name (${order})`, () => {
    const stub = encodeRemoteActivationRequest({ clsid: CLSID, objectName: uncName, iids: ['00000000-0000-0000-c000-000000000046'], protseqs: [7, 9] }, le);
    const d = decodeRemoteActivationRequest(stub, le);
    assert.equal(d.complete, true);
    assert.equal(d.trailing, 0);
    assert.deepEqual(d.anomalies, []);
    assert.equal(d.activation.objectName, uncName);
    assert.deepEqual([d.activation.uncServer, d.activation.uncServerLength, d.activation.uncField], [longServer, 600, 'objectName']);
    assert.deepEqual(d.activation.protseqs, [7, 9]);
    assert.equal(d.request.mode, 0);
    assert.equal(d.activation.clsid, CLSID);
  });

  test(`RemoteCreateInstance request round trip down to InstanceInfoData and COSERVERINFO (${order})`, () => {
    const stub = encodeRemoteCreateInstanceRequest({ clsid: CLSID, fileName: uncName, serverName: 'B'.repeat(40) }, le);
    const d = decodeSystemActivatorRequest('RemoteCreateInstance', stub, le);
    assert.deepEqual(d.anomalies, []);
    assert.equal(d.activation.fileName, uncName);
    assert.equal(d.activation.serverName, 'B'.repeat(40));
    assert.deepEqual([d.activation.uncField, d.activation.uncServerLength], ['fileName', 600]);
    assert.deepEqual(d.activation.properties, ['SpecialPropertiesData', 'InstantiationInfoData', 'ActivationContextInfoData', 'SecurityInfoData', 'LocationInfoData', 'ScmRequestInfoData', 'InstanceInfoData']);
  });

  test(`RemoteGetClassObject through the dispatcher (${order})`, () => {
    const stub = encodeRemoteGetClassObjectRequest({ clsid: CLSID, serverName: '\\\\' + 'B'.repeat(300) }, le);
    const d = decodeRequestStub({ ifaceUuid: ISYSTEM_ACTIVATOR.uuid, opnum: 3, stub, littleEndian: le });
    assert.equal(d?.activation?.method, 'RemoteGetClassObject');
    assert.deepEqual([d?.activation?.uncField, d?.activation?.uncServerLength], ['serverName', 300]);
    assert.deepEqual(d?.anomalies, []);
  });
}

test('inconsistent string counts in pwszObjectName are flagged and the name still decoded', () => {
  const stub = encodeRemoteActivationRequest({ clsid: CLSID, objectName: { value: uncName, maxCount: 32 } });
  const d = decodeRequestStub({ ifaceUuid: IREMOTE_ACTIVATION.uuid, opnum: 0, stub, littleEndian: true });
  assert.equal(d?.activation?.uncServerLength, 600);
  const a = d?.anomalies.find((x) => x.name === 'ndr_string_inconsistent');
  assert.match(a?.detail ?? '', /^pwszObjectName: string: actual_count 612 \+ offset 0 > max_count 32/);
  assert.ok(d?.activation?.sizeIssues?.some((s) => s.includes('max_count 32')));
});

/** Offsets of the activation blob pieces in an encoded RemoteCreateInstance stub (little-endian). */
function layout(stub: Uint8Array): { mip: number; blob: number; header: number } {
  const mip = 32 + 4 + 4; // ORPCTHIS, pUnkOuter null, pActProperties referent id
  const blob = mip + 8 + 48; // max_count + ulCntData, OBJREF_CUSTOM header
  return { mip, blob, header: blob + 8 + 16 };
}
const patch = (stub: Uint8Array, at: number, v: number): Uint8Array => {
  const copy = stub.slice();
  new DataView(copy.buffer).setUint32(at, v, true);
  return copy;
};

test('every declared size in the activation blob is checked against the bytes present', () => {
  const stub = encodeRemoteCreateInstanceRequest({ clsid: CLSID, fileName: uncName });
  const { mip, blob, header } = layout(stub);
  const r = new ByteReader(stub, 0, stub.length, true);
  r.seek(header);
  const totalSize = r.u32();
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['ulCntData', patch(stub, mip + 4, 9999), /pActProperties\.ulCntData 9999 but abData max_count/],
    ['dwSize', patch(stub, blob, totalSize + 64), /ActivationBlob\.dwSize \d+, present|totalSize \d+ but ActivationBlob\.dwSize/],
    ['totalSize', patch(stub, header, totalSize - 8), /headerSize \d+ \+ sum\(pSizes\) \d+ != totalSize/],
    ['cIfs', patch(stub, header + 16, 9), /CustomHeader\.cIfs 9 but pclsid has 7/],
    ['ObjectBufferLength', patch(stub, blob + 8 + 8, 4096), /CustomHeader\.ObjectBufferLength: declared 4096/],
  ];
  for (const [what, bytes, re] of cases) {
    const d = decodeSystemActivatorRequest('RemoteCreateInstance', bytes, true);
    const details = d.anomalies.filter((a) => a.name === 'declared_size_mismatch').map((a) => a.detail ?? '');
    assert.ok(details.some((x) => re.test(x)), `${what}: ${JSON.stringify(details)}`);
    assert.ok(d.activation.sizeIssues?.length, what);
  }
});

test('a property size pointing past the blob is reported with the property name', () => {
  const stub = encodeRemoteCreateInstanceRequest({ clsid: CLSID, fileName: uncName });
  const d0 = decodeSystemActivatorRequest('RemoteCreateInstance', stub, true);
  const sizes = d0.request.blob?.header?.pSizes ?? [];
  assert.equal(sizes.length, 7);
  // pSizes array: after the fixed header (48 bytes), clsid array (4 + 16n) and its max_count.
  const { header } = layout(stub);
  const at = header + 48 + 4 + 16 * sizes.length + 4 + 4 * (sizes.length - 1);
  const d = decodeSystemActivatorRequest('RemoteCreateInstance', patch(stub, at, 60000), true);
  assert.ok(d.anomalies.some((a) => /pSizes\[6\] \(InstanceInfoData\) 60000/.test(a.detail ?? '')), JSON.stringify(d.anomalies));
});

test('missing or malformed activation properties are anomalies (MS03-039 style)', () => {
  const good = encodeRemoteGetClassObjectRequest({ clsid: CLSID });
  const nullProps = good.slice(0, 36);
  new DataView(nullProps.buffer).setUint32(32, 0, true);
  const d1 = decodeSystemActivatorRequest('RemoteGetClassObject', nullProps, true);
  assert.match(d1.anomalies[0].detail ?? '', /pActProperties is null/);
  const badSig = patch(good, 32 + 4 + 8, 0x41414141);
  const d2 = decodeSystemActivatorRequest('RemoteGetClassObject', badSig, true);
  assert.ok(d2.anomalies.some((a) => /signature 0x41414141/.test(a.detail ?? '')));
  const cut = decodeSystemActivatorRequest('RemoteGetClassObject', good.subarray(0, 120), true);
  assert.equal(cut.complete, false);
  assert.ok(cut.anomalies.some((a) => a.name === 'declared_size_mismatch'));
});

test('the dispatcher leaves other interfaces alone and needs the interface', () => {
  assert.equal(decodeRequestStub({ opnum: 0, stub: new Uint8Array(), littleEndian: true }), undefined);
  assert.equal(decodeRequestStub({ ifaceUuid: '12345778-1234-abcd-ef00-0123456789ab', opnum: 0, stub: new Uint8Array(), littleEndian: true }), undefined);
});

test('seeded mutation of activation stubs: decoded + rejected = total, no exception', () => {
  const bases = [
    { ifaceUuid: ISYSTEM_ACTIVATOR.uuid, opnum: 4, stub: encodeRemoteCreateInstanceRequest({ clsid: CLSID, fileName: uncName, serverName: 'srv' }) },
    { ifaceUuid: IREMOTE_ACTIVATION.uuid, opnum: 0, stub: encodeRemoteActivationRequest({ clsid: CLSID, objectName: uncName }) },
  ];
  let seed = 2003;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  let clean = 0;
  let flagged = 0;
  const total = 2000;
  for (let i = 0; i < total; i++) {
    const b = bases[i % 2];
    const m = b.stub.slice(0, b.stub.length - rand(64));
    for (let k = rand(6); k >= 0; k--) m[rand(m.length)] = rand(256);
    const d = decodeRequestStub({ ...b, stub: m, littleEndian: rand(8) !== 0 });
    assert.ok(d);
    if (d.anomalies.length === 0) clean++;
    else flagged++;
  }
  assert.equal(clean + flagged, total);
  assert.ok(flagged > total / 2);
});

test('properties serialised big-endian (their own type serialisation header) decode as well', () => {
  const props = activationProperties({ clsid: CLSID, fileName: uncName, serverName: 'srv' });
  const anomalies: import('../../../../src/model/anomaly.js').Anomaly[] = [];
  const blob = decodeActivationBlob(encodeActivationBlob(props, false), anomalies);
  assert.deepEqual(anomalies, []);
  const file = blob.properties.find((p) => p.name === 'InstanceInfoData')?.value as { fileName: { value: string } } | undefined;
  assert.equal(file?.fileName.value, uncName);
  assert.equal(blob.properties.length, 7);
});

test('ORPCTHIS extensions: nested deferred referents decode, and their sizes are checked', () => {
  const extensions = [{ id: '00000000-1111-2222-3333-444444444444', data: new Uint8Array([1, 2, 3, 4, 5]) }];
  const stub = encodeRemoteActivationRequest({ clsid: CLSID, objectName: 'x', extensions });
  const d = decodeRemoteActivationRequest(stub, true);
  assert.deepEqual(d.anomalies, []);
  const ext = d.request.orpcThis?.extensions;
  assert.equal(ext?.size, 1);
  assert.equal(ext?.extent?.length, 2);
  assert.deepEqual([ext?.extent?.[0]?.id, ext?.extent?.[0]?.size, ext?.extent?.[0]?.data.length, ext?.extent?.[1]], [extensions[0].id, 5, 8, null]);
  assert.equal(d.activation.objectName, 'x');
  // ORPCTHIS (32); its deferred ORPC_EXTENT_ARRAY (size, reserved, extent id: 12); that one's
  // deferred pointer array (max_count, 2 ids: 12); then the ORPC_EXTENT: max_count, id, size.
  const sizeAt = 32 + 12 + 12 + 4 + 16;
  const lying = stub.slice();
  new DataView(lying.buffer).setUint32(sizeAt, 300, true);
  const bad = decodeRemoteActivationRequest(lying, true);
  assert.ok(bad.anomalies.some((a) => /extent\[0\]\.size 300 but 8 data byte/.test(a.detail ?? '')), JSON.stringify(bad.anomalies));
});
