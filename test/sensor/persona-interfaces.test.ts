// The persona's port-135 interfaces take their names from the kb table, so what the sensor records
// live and what a capture or replay of the same call records cannot differ (issue 11).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVED_ON_135, servedInterface } from '../../src/sensor/persona/persona-interfaces.js';
import { interfaceName, operationName } from '../../src/kb/dcerpc-names.js';

test('every interface served on 135 is named by the kb table, with Zeek\'s names for the DCOM ones', () => {
  for (const i of SERVED_ON_135) assert.equal(i.name, interfaceName(i.uuid), i.uuid);
  const byName = Object.fromEntries(SERVED_ON_135.map((i) => [i.name, i.uuid]));
  assert.equal(byName.IActivation, '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57');
  assert.equal(byName.IRemoteSCMActivator, '000001a0-0000-0000-c000-000000000046');
  assert.equal(byName.IObjectExporter, '99fcfec4-5260-101b-bbcb-00aa0021347a');
  assert.equal(byName.epmapper, 'e1af8308-5d1f-11c9-91a4-08002b14a0fa');
  assert.equal(byName.mgmt, 'afa8bd80-7d8a-11c9-bef4-08002b102989');
});

test('every opnum the persona serves has an operation name in the table', () => {
  for (const i of SERVED_ON_135) {
    for (const op of i.opnums) assert.ok(operationName(i.uuid, op) !== undefined, `${i.name} opnum ${op}`);
  }
  assert.deepEqual([...(servedInterface('000001A0-0000-0000-C000-000000000046', 0)?.opnums ?? [])], [3, 4], 'IUnknown opnums 0-2 are not served');
});
