// decodesRequest (dispatch by opnum first) answers as the plain rule it encodes: which interface
// and opnum pairs decodeRequestStub decodes, in any letter case.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EPM, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, MGMT, OPNUM, decodesRequest } from '../../../../src/protocols/dcerpc/interfaces/index.js';

const is = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b;
const rule = (iface: string | undefined, opnum: number): boolean =>
  (is(iface, IREMOTE_ACTIVATION.uuid) && opnum === OPNUM.remoteActivation)
  || (is(iface, ISYSTEM_ACTIVATOR.uuid) && (opnum === OPNUM.remoteCreateInstance || opnum === OPNUM.remoteGetClassObject))
  || (is(iface, EPM.uuid) && (opnum === OPNUM.eptLookup || opnum === OPNUM.eptMap))
  || (is(iface, IOXID_RESOLVER.uuid) && opnum === OPNUM.serverAlive2)
  || (is(iface, MGMT.uuid) && opnum === OPNUM.inqIfIds);

test('decodesRequest agrees with the interface/opnum rule for known, upper-case and other UUIDs', () => {
  const known = [EPM, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, MGMT].map((i) => i.uuid);
  const ifaces = [undefined, '', '12345778-1234-abcd-ef00-0123456789ac', ...known, ...known.map((u) => u.toUpperCase()), ...known.map((u) => `x${u.slice(1)}`)];
  let decoded = 0;
  for (const iface of ifaces) {
    for (let opnum = 0; opnum < 12; opnum++) {
      assert.equal(decodesRequest(iface, opnum), rule(iface, opnum), `${iface} opnum ${opnum}`);
      if (rule(iface, opnum)) decoded++;
    }
  }
  assert.equal(decoded, 2 * 7); // 7 pairs, lower and upper case
});
