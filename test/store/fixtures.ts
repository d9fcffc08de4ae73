// Session and event fixtures for the store and server tests: realistic MS03-026-shaped records
// (a bind to IRemoteSCMActivator, a RemoteCreateInstance with a long UNC server name) with anomalies.

import type { CallRecord } from '../../src/model/call.js';
import type { SessionRecord } from '../../src/model/session.js';
import type { VigilEvent } from '../../src/model/event.js';

export const T0 = Date.UTC(2003, 7, 11, 16, 0, 0); // 11 August 2003, Blaster's first afternoon

export function activationCall(ts: number, callId = 1): CallRecord {
  return {
    ts,
    callId,
    ctxId: 0,
    ifaceUuid: '000001a0-0000-0000-c000-000000000046',
    ifaceVersion: '0.0',
    endpoint: 'IRemoteSCMActivator', // the kb table's (Zeek's) name, as the sensor records it
    opnum: 4,
    operation: 'RemoteCreateInstance',
    reqFrags: 1,
    respFrags: 1,
    reqStubLen: 1704,
    respStubLen: 8,
    rttMs: 0.25,
    faultStatus: 0x1c010002,
    activation: {
      method: 'RemoteCreateInstance',
      clsid: '000001a0-0000-0000-c000-000000000046',
      serverName: `\\\\${'A'.repeat(40)}\\C$\\x.doc`,
      uncServer: 'A'.repeat(40),
      uncServerLength: 40,
      uncField: 'serverName',
      iids: ['00000000-0000-0000-c000-000000000046'],
      protseqs: [7],
      properties: ['InstanceInfoData', 'SecurityInfoData'],
    },
    anomalies: [{ name: 'unc_server_name_too_long', proto: 'dcerpc', detail: 'uncServer length 40', callId }],
  };
}

export function lookupCall(ts: number, callId = 2): CallRecord {
  return { ts, callId, ctxId: 0, ifaceUuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', endpoint: 'epmapper', opnum: 2, operation: 'ept_lookup', reqFrags: 1, respFrags: 1, reqStubLen: 76, respStubLen: 412, anomalies: [] };
}

let seq = 0;
/** A session; ids sort by start time like the sensor's ULID-like ids. */
export function makeSession(over: Partial<SessionRecord> = {}): SessionRecord {
  const startTs = over.startTs ?? T0 + seq * 1000;
  seq++;
  return {
    id: over.id ?? `s${String(Math.round(startTs)).padStart(15, '0')}${String(seq).padStart(6, '0')}`,
    sensor: 'sensor-1',
    proto: 'tcp',
    src: '192.0.2.10',
    sport: 40000 + (seq % 20000),
    dst: '198.51.100.5',
    dport: 135,
    startTs,
    endTs: startTs + 120,
    bytesIn: 72,
    bytesOut: 60,
    firstBytesHex: '05000b03100000004800000001000000',
    service: 'dcerpc',
    closeReason: 'peer_closed',
    limitsHit: [],
    anomalies: [],
    calls: [],
    ...over,
  };
}

export function connEvent(over: Partial<VigilEvent> & { ts: number }): VigilEvent {
  return { type: 'conn', source: 'sensor', src: '192.0.2.10', dst: '198.51.100.5', proto: 'tcp', sport: 40000, dport: 135, outcome: 'failure', ...over } as VigilEvent;
}

/** The i-th record the crash-test child writes: i % 6 calls, so a half-written session shows. */
export function crashRecord(i: number): SessionRecord {
  const startTs = T0 + i;
  return makeSession({
    id: `crash${String(i).padStart(6, '0')}`,
    startTs,
    src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    calls: Array.from({ length: i % 6 }, (_, k) => (k % 2 === 0 ? lookupCall(startTs + k, k + 1) : activationCall(startTs + k, k + 1))),
    anomalies: i % 4 === 0 ? [{ name: 'bind_nak_sent', proto: 'sensor' }] : [],
  });
}
