// The session the fleet benchmark sends: an MS03-026-shaped RPC session with two calls (~1 KB as JSON).

import type { SessionRecord } from '../src/model/session.js';

export function benchSession(prefix: string, i: number): SessionRecord {
  const startTs = 1_060_617_600_000 + i;
  const call = (ts: number, callId: number) => ({ ts, callId, ctxId: 0, ifaceUuid: '000001a0-0000-0000-c000-000000000046', endpoint: 'ISystemActivator', opnum: 4, operation: 'RemoteCreateInstance', reqFrags: 1, respFrags: 1, reqStubLen: 1704, respStubLen: 8, anomalies: [] });
  return {
    id: `${prefix}-${i}`, sensor: 'bench', proto: 'tcp', src: `10.0.${(i >> 8) & 255}.${i & 255}`, sport: 1024 + (i % 60000), dst: '127.0.0.1', dport: 135,
    startTs, endTs: startTs + 5, bytesIn: 1800, bytesOut: 200, firstBytesHex: '05000b03'.repeat(8), service: 'dcerpc', closeReason: 'peer_closed',
    limitsHit: [], anomalies: [], calls: [call(startTs, 1), call(startTs + 1, 2)],
  };
}
