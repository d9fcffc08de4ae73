// Test helper: pull whole DCE/RPC calls (request and response stubs, reassembled) out of a corpus
// capture, using tshark only to get TCP payloads per stream, so our decoders see the real bytes.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface CorpusCall {
  readonly stream: number;
  readonly callId: number;
  readonly ctxId: number;
  readonly opnum: number;
  readonly ifaceUuid?: string;
  readonly littleEndian: boolean;
  readonly authLevel?: number;
  readonly request: Uint8Array;
  readonly response?: Uint8Array;
  readonly responseLittleEndian?: boolean;
}

function uuidAt(b: Buffer, at: number, le: boolean): string {
  const a = le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  const m = le ? b.readUInt16LE(at + 4) : b.readUInt16BE(at + 4);
  const h = le ? b.readUInt16LE(at + 6) : b.readUInt16BE(at + 6);
  const tail = b.subarray(at + 8, at + 16).toString('hex');
  return `${a.toString(16).padStart(8, '0')}-${m.toString(16).padStart(4, '0')}-${h.toString(16).padStart(4, '0')}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

interface Pdu { ptype: number; flags: number; le: boolean; callId: number; body: Buffer; frag: Buffer; authLevel?: number }

function splitPdus(stream: Buffer): Pdu[] {
  const out: Pdu[] = [];
  let off = 0;
  while (off + 16 <= stream.length && stream[off] === 5) {
    const le = (stream[off + 4] & 0x10) !== 0;
    const fragLen = le ? stream.readUInt16LE(off + 8) : stream.readUInt16BE(off + 8);
    const authLen = le ? stream.readUInt16LE(off + 10) : stream.readUInt16BE(off + 10);
    if (fragLen < 16 || off + fragLen > stream.length) break;
    const frag = stream.subarray(off, off + fragLen);
    let end = fragLen;
    let authLevel: number | undefined;
    if (authLen > 0) {
      const trailer = fragLen - authLen - 8;
      authLevel = frag[trailer + 1];
      end = trailer - frag[trailer + 2];
    }
    out.push({ ptype: frag[2], flags: frag[3], le, callId: le ? frag.readUInt32LE(12) : frag.readUInt32BE(12), body: frag.subarray(16, end), frag, authLevel });
    off += fragLen;
  }
  return out;
}

function bindContexts(p: Pdu, ctx: Map<number, string>): void {
  const b = p.body;
  let at = 8;
  const n = b[at];
  at += 4;
  for (let i = 0; i < n && at + 24 <= b.length; i++) {
    const id = p.le ? b.readUInt16LE(at) : b.readUInt16BE(at);
    const nts = b[at + 2];
    ctx.set(id, uuidAt(b, at + 4, p.le));
    at += 24 + 20 * nts;
  }
}

const extracted = new Map<string, CorpusCall[]>();

/** Calls of every TCP stream in `file`, in order; fragments joined by call id. Memoised: several
 * tests read the same capture and tshark is the slow part. */
export function corpusCalls(file: string): CorpusCall[] {
  let calls = extracted.get(file);
  if (!calls) extracted.set(file, (calls = extractCalls(file)));
  return calls;
}

/** Interfaces per capture as the corpus MANIFEST.md lists them (`### name` ... `ifaces=[...]`),
 * computed there with tshark when the corpus was collected. */
export function manifestInterfaces(manifest: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const line of readFileSync(manifest, 'utf8').split('\n')) {
    if (line.startsWith('### ')) section = line.slice(4).trim();
    const m = /ifaces=\[([^\]]*)\]/.exec(line);
    if (m && section) out.set(section, m[1].split(/\s+/).filter((u) => u.length > 0));
  }
  return out;
}

function extractCalls(file: string): CorpusCall[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'tcp.len>0', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.payload'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  const streams = new Map<number, { client: number; up: Buffer[]; down: Buffer[] }>();
  for (const line of r.stdout.split('\n')) {
    const [s, port, hex] = line.split('\t');
    if (!hex) continue;
    const id = Number(s);
    let st = streams.get(id);
    if (!st) streams.set(id, (st = { client: Number(port), up: [], down: [] }));
    (Number(port) === st.client ? st.up : st.down).push(Buffer.from(hex.replace(/:/g, ''), 'hex'));
  }
  const calls: CorpusCall[] = [];
  for (const [id, st] of streams) calls.push(...streamCalls(id, Buffer.concat(st.up), Buffer.concat(st.down)));
  return calls;
}

function joinStubs(pdus: Pdu[], ptype: number): Map<number, { first: Pdu; stub: Buffer }> {
  const calls = new Map<number, { first: Pdu; parts: Buffer[] }>();
  for (const p of pdus) {
    if (p.ptype !== ptype) continue;
    const hdr = ptype === 0 ? ((p.flags & 0x80) !== 0 ? 24 : 8) : 8;
    if (!calls.has(p.callId) || (p.flags & 1) !== 0) calls.set(p.callId, { first: p, parts: [] });
    calls.get(p.callId)!.parts.push(p.body.subarray(hdr));
  }
  return new Map([...calls].map(([k, v]) => [k, { first: v.first, stub: Buffer.concat(v.parts) }]));
}

function streamCalls(stream: number, up: Buffer, down: Buffer): CorpusCall[] {
  const req = splitPdus(up);
  const resp = joinStubs(splitPdus(down), 2);
  const ctx = new Map<number, string>();
  for (const p of req) if (p.ptype === 11 || p.ptype === 14) bindContexts(p, ctx);
  const out: CorpusCall[] = [];
  for (const [callId, { first, stub }] of joinStubs(req, 0)) {
    const b = first.body;
    const ctxId = first.le ? b.readUInt16LE(4) : b.readUInt16BE(4);
    const opnum = first.le ? b.readUInt16LE(6) : b.readUInt16BE(6);
    const rs = resp.get(callId);
    out.push({
      stream, callId, ctxId, opnum, ifaceUuid: ctx.get(ctxId), littleEndian: first.le, authLevel: first.authLevel,
      request: new Uint8Array(stub), response: rs && new Uint8Array(rs.stub), responseLittleEndian: rs?.first.le,
    });
  }
  return out;
}
