// `vigil pcap` tests: JSON lines per PDU and per call (with decoded DCOM activation arguments), the
// aligned table, the counting mode, and exit codes / messages for bad files. In-process through
// runPcap, and once through the compiled CLI (needs `npm run build`, as `npm test` does).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runPcap } from '../../src/cli/commands/pcap.js';
import { concat, ethernet, ipTcp, pcapFileHeader, pcapRecord } from '../helpers/capture-writer.js';
import { encodeBind, encodeRequest } from '../../src/protocols/dcerpc/pdu-encode.js';
import { TextTable, addCallRow, callTable } from '../../src/cli/pcap/table-format.js';
import { callRecord } from '../../src/cli/pcap/call-record.js';
import { CLI_PATH, corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-pcap-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string, flags: Parameters<typeof runPcap>[1]): { out: string; lines: Record<string, unknown>[] } {
  let out = '';
  runPcap(file, flags, (s) => (out += s));
  const lines = flags.json ? out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { out, lines };
}

/** An endpoint-mapper bind and an ept_map request of client 10.9.9.9:4321, and its segments to `dport`. */
function epmClient(dport: number): { bind: Uint8Array; request: Uint8Array; seg: (seq: number, payload: Uint8Array) => Uint8Array } {
  const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
  return {
    bind: encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [{ uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', versionMajor: 2, versionMinor: 0 }] }] }),
    request: encodeRequest({ callId: 2, ctxId: 0, opnum: 3, stub: new Uint8Array(40).fill(0x41) }),
    seg: (seq, payload) => ethernet(ipTcp({ src: '10.9.9.9', dst: '10.9.9.1', sport: 4321, dport, seq, payload })),
  };
}

/** A bind then a request split over two TCP segments, client 10.9.9.9:4321 -> server :49700 (a dynamic port). */
function syntheticCapture(): string {
  const { bind, request, seg } = epmClient(49700);
  const file = join(dir, 'synthetic.pcap');
  writeFileSync(file, concat([
    pcapFileHeader({ linkType: 1 }),
    pcapRecord(1_000_000_000, 1, seg(100, bind)),
    pcapRecord(1_000_000_000, 2, seg(100 + bind.length, request.subarray(0, 10))),
    pcapRecord(1_000_000_000, 3, seg(110 + bind.length, request.subarray(10))),
  ]));
  return file;
}

describe('vigil pcap', () => {
  const file = syntheticCapture();

  it('prints one JSON object per PDU, found by content on a dynamic port, reassembled across segments', () => {
    const { lines } = run(file, { json: true });
    assert.deepEqual(lines.map((l) => [l.ptype, l.call_id, l.frame, l.direction]), [['bind', 1, 1, 'to_server'], ['request', 2, 3, 'to_server']]);
    assert.deepEqual(lines[0].flow, { src: '10.9.9.9', sport: 4321, dst: '10.9.9.1', dport: 49700 });
    assert.equal(lines[0].ts, '2001-09-09T01:46:40.000001Z');
    assert.deepEqual((lines[0].contexts as { interface: { uuid: string } }[]).map((c) => c.interface.uuid), ['e1af8308-5d1f-11c9-91a4-08002b14a0fa']);
    assert.deepEqual([lines[1].opnum, lines[1].ctx_id, lines[1].stub_len, lines[1].flag_names], [3, 0, 40, ['first_frag', 'last_frag']]);
  });

  it('lists a PDU that frames but does not decode as decoded: false, carrying the anomaly that rejected it', () => {
    // a request whose auth_length claims more than its frag_length holds: framed, then rejected
    const bad = encodeRequest({ callId: 5, ctxId: 0, opnum: 0, stub: new Uint8Array(8).fill(0x41) });
    new DataView(bad.buffer, bad.byteOffset).setUint16(10, 200, true);
    const good = encodeRequest({ callId: 6, ctxId: 0, opnum: 0, stub: new Uint8Array(8).fill(0x41) });
    const seg = (seq: number, payload: Uint8Array): Uint8Array => ethernet(ipTcp({ src: '10.9.9.9', dst: '10.9.9.1', sport: 4322, dport: 135, seq, payload }));
    const f = join(dir, 'rejected.pcap');
    writeFileSync(f, concat([pcapFileHeader({ linkType: 1 }), pcapRecord(1_000_000_000, 1, seg(100, bad)), pcapRecord(1_000_000_000, 2, seg(100 + bad.length, good))]));
    const { lines } = run(f, { json: true });
    assert.deepEqual(lines.map((l) => [l.ptype, l.call_id, l.frame, l.decoded ?? true, l.anomalies]), [
      ['request', 5, 1, false, ['auth_length_exceeds_frag']],
      ['request', 6, 2, true, ['request_on_unknown_context']],
    ]);
    const counted = run(f, { json: true, count: true }).lines[0];
    assert.deepEqual([counted.pdus, counted.pdusRejected], [2, 1], 'framed PDUs, of which one rejected');
  });

  it('prints one JSON object per call with names, sizes and status', () => {
    const { lines } = run(file, { json: true, calls: true });
    assert.equal(lines.length, 1);
    const c = lines[0];
    assert.deepEqual([c.endpoint, c.operation, c.status, c.rtt], ['epmapper', 'ept_map', 'no_response', null]);
    assert.deepEqual([c.req, c.res], [{ frag_cnt: 1, stub_data_size: 40 }, { frag_cnt: 0, stub_data_size: 0 }]);
  });

  it('counts without printing PDUs', () => {
    const { lines } = run(file, { json: true, count: true });
    assert.equal(lines.length, 1);
    const s = lines[0];
    assert.deepEqual([s.packets, s.pdus, s.calls, s.dcerpcConnections, s.pdusByType], [3, 2, 1, 1, { bind: 1, request: 1 }]);
  });

  it('prints an aligned table and the totals without --json', () => {
    const { out } = run(file, {});
    const rows = out.split('\n');
    assert.match(rows[0], /^TIME +FRAME +FLOW +DIR +PTYPE +CALL +FRAG +DETAIL$/);
    assert.equal(rows[1].indexOf('bind'), rows[0].indexOf('PTYPE'));
    assert.equal(rows[2].indexOf('request'), rows[0].indexOf('PTYPE'));
    assert.match(out, /PDUs: 2 \(bind 1, request 1\), rejected: 0/);
  });

  it('decodes the DCOM activation arguments of a real RemoteCreateInstance', { skip: skipWithoutCorpus('dcerpc', 'zeek_kerberos135_auth.pcapng') }, () => {
    const { lines } = run(corpusPath('dcerpc', 'zeek_kerberos135_auth.pcapng'), { json: true, calls: true });
    assert.equal(lines.length, 1);
    const c = lines[0] as { endpoint: string; operation: string; activation: { method: string; server_name: string; properties: string[] }; rtt: number };
    assert.deepEqual([c.endpoint, c.operation, c.activation.method, c.activation.server_name, c.rtt], ['IRemoteSCMActivator', 'RemoteCreateInstance', 'RemoteCreateInstance', 'BLACKCLOVER-DC', 0.000606]);
    assert.ok(c.activation.properties.includes('InstanceInfoData') || c.activation.properties.includes('SecurityInfoData'));
  });
});

describe('TextTable', () => {
  it('prints the header once and rows in chunks whose columns only ever widen', () => {
    let out = '';
    const t = new TextTable(['A', 'B', 'NOTES'], (s) => (out += s), 2);
    t.add(['x', 'yy', 'first']);
    t.add(['xxx', 'y', 'second']);
    assert.equal(out, 'A    B   NOTES\nx    yy  first\nxxx  y   second\n'); // a full chunk is printed at once
    t.add(['x', 'yyyyy', 'third']);
    t.flush();
    assert.deepEqual(out.split('\n').slice(3), ['x    yyyyy  third', '']);
    assert.equal(t.size, 3);
  });
});

describe('vigil pcap (compiled CLI)', { skip: existsSync(CLI_PATH) ? false : `${CLI_PATH} not built (run npm run build)` }, () => {
  const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [CLI_PATH, 'pcap', ...args], { encoding: 'utf8' });

  it('exits 0 with JSON totals for a good capture', () => {
    const r = cli('--count', '--json', syntheticCapture());
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { pdus: number }).pdus, 2);
  });

  it('exits 1 naming the file and byte offset of a bad capture', () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, concat([pcapFileHeader({ linkType: 1 }), new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0])]));
    const r = cli(bad);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}: pcap record claims 2147483647 captured bytes .* at byte offset 24`));
  });

  it('--capture-limit sets a named capture limit for the run; a bad one exits 2 before the file is read', () => {
    // one connection whose second request comes 10 s after the first: one connection by default,
    // two with a 5 s idle timeout (the second picked up mid-stream)
    const { bind, request, seg } = epmClient(135);
    const file = join(dir, 'idle.pcap');
    writeFileSync(file, concat([
      pcapFileHeader({ linkType: 1 }),
      pcapRecord(1_000_000_000, 0, seg(100, bind)),
      pcapRecord(1_000_000_000, 1, seg(100 + bind.length, request)),
      pcapRecord(1_000_000_010, 0, seg(100 + bind.length + request.length, request)),
    ]));
    const totals = (...args: string[]) => {
      const r = cli('--count', '--json', ...args, file);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { tcpConnections: number; anomalies: Record<string, number> };
    };
    assert.equal(totals().tcpConnections, 1);
    const idle = totals('--capture-limit', 'tcp_idle_timeout_s=5');
    assert.equal(idle.tcpConnections, 2);
    assert.equal(idle.anomalies.request_on_unknown_context, 1, 'the bind was on the connection that idled out');
    const unknown = cli('--count', '--capture-limit', 'tcp_idle=5', file);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--capture-limit\.tcp_idle: unknown limit \(known: .*tcp_idle_timeout_s/);
    const malformed = cli('--count', '--capture-limit', 'max_flows', file);
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /--capture-limit: expected NAME=INTEGER/);
  });

  it('exits 1 for a missing file or a directory, and non-zero without a file', () => {
    const missing = cli(join(dir, 'missing.pcap'));
    assert.deepEqual([missing.status, /missing\.pcap: cannot open \(ENOENT\)/.test(missing.stderr)], [1, true]);
    const directory = cli(dir);
    assert.deepEqual([directory.status, /cannot read \(EISDIR\)/.test(directory.stderr)], [1, true]);
    assert.notEqual(cli().status, 0);
  });
});

describe('vigil pcap tables name what they show', () => {
  it('bind contexts and call endpoints by the kb name beside the UUID, faults by name beside the status', () => {
    const lines: string[] = [];
    const t = callTable((x) => lines.push(x));
    addCallRow(t, { ts: 0, callId: 7, ctxId: 0, opnum: 9, reqFrags: 1, respFrags: 1, reqStubLen: 4, respStubLen: 0, anomalies: [], ifaceUuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', faultStatus: 0x1c010002 }, { src: '192.0.2.1', sport: 1025, dst: '192.0.2.2', dport: 135 });
    t.flush();
    const text = lines.join('\n');
    assert.match(text, /epmapper \(e1af8308-5d1f-11c9-91a4-08002b14a0fa\)/);
    assert.match(text, /fault 0x1c010002 nca_op_rng_error/);
    const rec = callRecord({ ts: 0, callId: 7, ctxId: 0, opnum: 9, reqFrags: 1, respFrags: 1, reqStubLen: 4, respStubLen: 0, anomalies: [], faultStatus: 0x1c010002 }, { src: '192.0.2.1', sport: 1025, dst: '192.0.2.2', dport: 135 });
    assert.equal((rec as { fault_name?: string }).fault_name, 'nca_op_rng_error');
  });
});
