// Readable, aligned text tables for `vigil pcap` without --json: one row per PDU or per call, and
// the totals block. Rows are printed in chunks so memory stays bounded on big captures.

import type { Pdu } from '../../protocols/dcerpc/pdu-types.js';
import type { CallRecord } from '../../model/call.js';
import { ptypeName } from '../../protocols/dcerpc/pdu-decode.js';
import type { FlowJson, PcapStats, PduEvent } from '../../ingest/capture/pcap-types.js';
import { faultLabel, interfaceLabel } from '../../kb/dcerpc-names.js';

/** Rows held before they are printed: columns line up within a chunk, and widths only ever grow. */
export const TABLE_CHUNK_ROWS = 5000;

export class TextTable {
  private rows: string[][] = [];
  private readonly widths: number[];
  private printed = 0;

  constructor(
    private readonly header: readonly string[],
    private readonly write: (s: string) => void,
    private readonly chunkRows = TABLE_CHUNK_ROWS,
  ) {
    this.widths = header.map((h) => h.length);
  }

  add(row: readonly string[]): void {
    this.rows.push([...row]);
    if (this.rows.length >= this.chunkRows) this.flush();
  }

  /** Rows added so far (printed or pending). */
  get size(): number {
    return this.printed + this.rows.length;
  }

  flush(): void {
    if (this.rows.length === 0) return;
    const lines = this.printed === 0 ? [[...this.header], ...this.rows] : this.rows;
    for (const r of lines) r.forEach((cell, i) => (this.widths[i] = Math.max(this.widths[i] ?? 0, cell.length)));
    // The last column is free text: never padded, so long notes do not widen every line.
    const text = lines.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(this.widths[i]))).join('  ').trimEnd());
    this.write(`${text.join('\n')}\n`);
    this.printed += this.rows.length;
    this.rows = [];
  }
}

const time = (ms: number): string => new Date(Math.floor(ms)).toISOString().slice(11, 23) + String(Math.round((ms % 1) * 1000)).padStart(3, '0');
const flowText = (f: FlowJson): string => `${f.src}:${f.sport} > ${f.dst}:${f.dport}`;

export function pduTable(write: (s: string) => void): TextTable {
  return new TextTable(['TIME', 'FRAME', 'FLOW', 'DIR', 'PTYPE', 'CALL', 'FRAG', 'DETAIL'], write);
}

export function addPduRow(t: TextTable, e: PduEvent): void {
  const detail = e.pdu ? pduDetail(e.pdu) : 'not decoded';
  const notes = e.anomalies.length ? `  [${e.anomalies.map((a) => a.name).join(', ')}]` : '';
  t.add([time(e.tsMs), String(e.frame), flowText(e.flow), e.direction === 'to_server' ? '->' : '<-', ptypeName(e.header.ptype), String(e.header.callId), String(e.header.fragLength), detail + notes]);
}

function pduDetail(p: Pdu): string {
  const auth = p.auth ? ` auth=${p.auth.authType}/${p.auth.authLevel}` : '';
  switch (p.type) {
    case 'request':
      return `ctx=${p.ctxId} opnum=${p.opnum} stub=${p.stub.length}${p.objectUuid ? ` object=${p.objectUuid}` : ''}${auth}`;
    case 'response':
      return `ctx=${p.ctxId} stub=${p.stub.length}${auth}`;
    case 'fault':
      return `ctx=${p.ctxId} status=${faultLabel(p.status)}`;
    case 'bind':
    case 'alter_context':
      return p.contexts.map((c) => `ctx${c.ctxId}=${interfaceLabel(c.abstractSyntax.uuid)} v${c.abstractSyntax.versionMajor}.${c.abstractSyntax.versionMinor}`).join(' ') + auth;
    case 'bind_ack':
    case 'alter_context_resp':
      return `results=${p.results.map((r) => r.result).join(',')}${p.secondaryAddress ? ` sec_addr=${p.secondaryAddress}` : ''}${auth}`;
    case 'bind_nak':
      return `reject_reason=${p.rejectReason}`;
    default:
      return auth.trim();
  }
}

export function callTable(write: (s: string) => void): TextTable {
  return new TextTable(['TIME', 'FLOW', 'CALL', 'ENDPOINT', 'OPERATION', 'REQ', 'RES', 'RTT_MS', 'STATUS', 'NOTES'], write);
}

export function addCallRow(t: TextTable, c: CallRecord, flow: FlowJson): void {
  const status = c.faultStatus !== undefined ? `fault ${faultLabel(c.faultStatus)}` : c.respFrags > 0 ? 'ok' : 'no_response';
  const notes: string[] = [];
  const a = c.activation;
  if (a?.objectName !== undefined) notes.push(`object_name=${JSON.stringify(a.objectName)}`);
  if (a?.fileName !== undefined) notes.push(`file_name=${JSON.stringify(a.fileName)}`);
  if (a?.uncServerLength !== undefined) notes.push(`unc_server_length=${a.uncServerLength}`);
  if (c.anomalies.length) notes.push(`[${c.anomalies.map((x) => x.name).join(', ')}]`);
  t.add([
    time(c.ts), flowText(flow), String(c.callId), c.endpoint ?? (c.ifaceUuid !== undefined ? interfaceLabel(c.ifaceUuid) : '-'), c.operation ?? `opnum ${c.opnum}`,
    `${c.reqFrags}/${c.reqStubLen}B`, `${c.respFrags}/${c.respStubLen}B`, c.rttMs === undefined ? '-' : c.rttMs.toFixed(3), status, notes.join(' '),
  ]);
}

export function statsText(s: PcapStats): string {
  const lines = [
    `file: ${s.file} (${s.format}, ${s.bytes} bytes, ${s.packets} packets: ${s.tcpPackets} TCP, ${s.udpPackets} UDP)`,
    `TCP connections: ${s.tcpConnections}, of which DCE/RPC: ${s.dcerpcConnections}, SMB: ${s.smbConnections ?? 0} (named pipes: ${s.smbPipes ?? 0})`,
    `PDUs: ${s.pdus} (${Object.entries(s.pdusByType).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), rejected: ${s.pdusRejected}`,
    `calls: ${s.calls}`,
  ];
  if (s.clDatagrams) lines.push(`connectionless DCE/RPC datagrams (UDP, counted only): ${s.clDatagrams}`);
  const notDecoded = Object.entries(s.notDecoded);
  if (notDecoded.length) lines.push(`packets not decoded: ${notDecoded.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const anomalies = Object.entries(s.anomalies);
  lines.push(`anomalies: ${anomalies.length ? anomalies.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`);
  return lines.join('\n');
}
