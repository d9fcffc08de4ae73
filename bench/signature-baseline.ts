// Comparison baseline, NOT part of the product: the content-rule logic of the 2003-era Snort/ET
// rules for the DCOM RPC exploits, run on the same delivery variants the decoding detector sees.

import { ExploitDetector } from '../src/detect/exploit-detector.js';
import type { CallRecord } from '../src/model/call.js';
import { BENIGN_CASES, EXPLOIT_CASES, VARIANTS, deliveryPdus, engineCalls, engineCallsFromChunks, type ActivationCase, type Variant } from '../test/detect/delivery-sessions.js';
import { activationCall, deliveryVariants, type ActivationKind } from '../test/helpers/delivery-variants.js';

/**
 * Rule logic as published (snort.org rule docs; snort2bro translations of the rules):
 * - SID 2192 "NETBIOS DCERPC ISystemActivator bind attempt": content |05|, then |0b| one byte on
 *   (ptype bind), byte_test pfc_flags & 1 (first frag), then the ISystemActivator UUID bytes
 *   (A0 01 00 00 ... 46, little-endian) at distance 29 within 16, i.e. the first context's abstract syntax.
 * - SID 2251 "NETBIOS DCERPC Remote Activation bind attempt": the same with the IRemoteActivation UUID
 *   (B8 4A 9F 4D 1C 7D CF 11 86 1E 00 20 AF 6E 7C 57).
 * - SIDs 3197/3198 (the request-side "path overflow" pair, little- and big-endian): a request PDU
 *   (ptype 0) whose bytes hold a UTF-16 `\\` followed by 32 or more code units before the next
 *   `\`. We could not retrieve the exact text of these two rules; this is our reading of their
 *   documented logic ("long UNC server name in a DCOM request"), stated here so nobody mistakes it for a copy.
 * - SID 3409 (IActivation bind, any context position): the IRemoteActivation UUID anywhere in a bind's
 *   bytes, little-endian only; likewise reconstructed from its description, not copied.
 * Each rule is evaluated per TCP segment (a 2003 sensor without the later DCE/RPC preprocessor) and
 * on the reassembled client stream (stream4 reassembly), the better case for the rules.
 */
const ISYSACT_LE = Buffer.from('a001000000000000c000000000000046', 'hex');
const IREMACT_LE = Buffer.from('b84a9f4d1c7dcf11861e0020af6e7c57', 'hex');

type Rule = { sid: string; match: (b: Buffer) => boolean; exploitRule: boolean };

function bindUuidAt32(uuid: Buffer): (b: Buffer) => boolean {
  return (b) => {
    for (let i = 0; i + 48 <= b.length; i++) {
      if (b[i] === 0x05 && b[i + 2] === 0x0b && (b[i + 3]! & 1) === 1 && b.subarray(i + 32, i + 48).equals(uuid)) return true;
    }
    return false;
  };
}

function longUncInRequest(littleEndian: boolean): (b: Buffer) => boolean {
  const bs = littleEndian ? [0x5c, 0x00] : [0x00, 0x5c];
  return (b) => {
    const req = b.indexOf(Buffer.from([0x05, 0x00, 0x00]));
    if (req < 0 || ((b[req + 4]! & 0x10) !== 0) !== littleEndian) return false;
    for (let i = req; i + 4 <= b.length; i += 1) {
      if (b[i] !== bs[0] || b[i + 1] !== bs[1] || b[i + 2] !== bs[0] || b[i + 3] !== bs[1]) continue;
      let n = 0;
      for (let j = i + 4; j + 1 < b.length && !(b[j] === bs[0] && b[j + 1] === bs[1]); j += 2) n++;
      if (n >= 32) return true;
    }
    return false;
  };
}

export const SIGNATURE_RULES: readonly Rule[] = [
  { sid: '2192', match: bindUuidAt32(ISYSACT_LE), exploitRule: false },
  { sid: '2251', match: bindUuidAt32(IREMACT_LE), exploitRule: false },
  { sid: '3197', match: longUncInRequest(true), exploitRule: true },
  { sid: '3198', match: longUncInRequest(false), exploitRule: true },
  { sid: '3409', match: (b) => b.indexOf(Buffer.from([0x05, 0x00, 0x0b])) >= 0 && b.indexOf(IREMACT_LE) >= 0, exploitRule: false },
];

/** The client's TCP segments for a case under a variant (1-byte segments really are 1 byte each). */
function segments(c: ActivationCase, v: Variant): Buffer[] {
  const pdus = deliveryPdus(c, v).client.map((p) => Buffer.from(p));
  return v === 'one_byte_segments' ? pdus.flatMap((p) => [...p].map((x) => Buffer.from([x]))) : pdus;
}

export function signatureHits(c: ActivationCase, v: Variant, reassembled: boolean): string[] {
  const segs = segments(c, v);
  const units = reassembled ? [Buffer.concat(segs)] : segs;
  return SIGNATURE_RULES.filter((r) => units.some((u) => r.match(u))).map((r) => r.sid);
}

function vigilHits(calls: CallRecord[]): string[] {
  const d = new ExploitDetector();
  return calls
    .flatMap((call) => d.push({ type: 'call', ts: call.ts, source: 'sensor', src: '198.51.100.66', dst: '192.0.2.10', proto: 'tcp', dport: 135, call }))
    .filter((a) => a.cves.length > 0)
    .map((a) => a.rule);
}

const mark = (ok: number, n: number): string => (ok === n ? `${ok}/${n} ✓` : `${ok}/${n}`);

/** Markdown table: per variant, how many of the exploit cases each approach flags, and false alarms. */
export function exploitComparisonTable(): string {
  const rows = ['| delivery variant | Vigil (decoding) | exploit rules 3197/3198 per segment | same, reassembled stream | bind rules 2192/2251/3409 (any case) |', '|---|---:|---:|---:|---:|'];
  for (const v of VARIANTS) {
    let vigil = 0;
    let seg = 0;
    let re = 0;
    let bind = 0;
    for (const c of EXPLOIT_CASES) {
      if (vigilHits(engineCalls(c, v)).includes(c.rule)) vigil++;
      const s = signatureHits(c, v, false);
      const r = signatureHits(c, v, true);
      if (s.some((sid) => sid === '3197' || sid === '3198')) seg++;
      if (r.some((sid) => sid === '3197' || sid === '3198')) re++;
      if (r.some((sid) => ['2192', '2251', '3409'].includes(sid))) bind++;
    }
    const n = EXPLOIT_CASES.length;
    rows.push(`| ${v} | ${mark(vigil, n)} | ${mark(seg, n)} | ${mark(re, n)} | ${mark(bind, n)} |`);
  }
  let vigilFp = 0;
  let exploitFp = 0;
  let bindFp = 0;
  const total = BENIGN_CASES.length * VARIANTS.length;
  for (const c of BENIGN_CASES) {
    for (const v of VARIANTS) {
      if (vigilHits(engineCalls(c, v)).length > 0) vigilFp++;
      const r = signatureHits(c, v, true);
      if (r.some((sid) => sid === '3197' || sid === '3198')) exploitFp++;
      if (r.some((sid) => ['2192', '2251', '3409'].includes(sid))) bindFp++;
    }
  }
  rows.push(`| **false alarms on ordinary activations** (${total} sessions) | ${vigilFp} | – | ${exploitFp} | ${bindFp} |`);
  return [
    `Cases per variant: ${EXPLOIT_CASES.map((c) => c.name).join('; ')}. Ordinary activations: ${BENIGN_CASES.map((c) => c.name).join('; ')}.`,
    'Sessions are built by test/detect/delivery-sessions.ts with inert filler. The signature rules are a baseline implemented in bench/signature-baseline.ts (not in the product); 3197/3198/3409 are reconstructed from their descriptions (see that file).',
    'The bind rules name no exploit: they fire on every activation bind, so their "hits" and their false alarms are the same thing.',
    '',
    ...rows,
  ].join('\n');
}

/** Per segment and reassembled, which rules fire on a list of client chunks. */
function chunkHits(chunks: readonly Uint8Array[], reassembled: boolean): string[] {
  const segs = chunks.map((c) => Buffer.from(c));
  const units = reassembled ? [Buffer.concat(segs)] : segs;
  return SIGNATURE_RULES.filter((r) => units.some((u) => r.match(u))).map((r) => r.sid);
}

/** Second table: MS03-026 through each activation method on the shared generator's variants. */
export function sharedVariantTable(): string {
  const kinds: ActivationKind[] = ['RemoteActivation', 'RemoteCreateInstance', 'RemoteGetClassObject'];
  const perKind = kinds.map((k) => deliveryVariants(activationCall(k)));
  const rows = ['| delivery variant (test/helpers/delivery-variants.ts) | Vigil (decoding) | 3197/3198 per segment | 3197/3198 reassembled | bind rules 2192/2251/3409 reassembled |', '|---|---:|---:|---:|---:|'];
  for (let i = 0; i < perKind[0]!.length; i++) {
    let vigil = 0;
    let seg = 0;
    let re = 0;
    let bind = 0;
    for (const variants of perKind) {
      const v = variants[i]!;
      if (vigilHits(engineCallsFromChunks(v.chunks)).includes('ms03_026_unc_server')) vigil++;
      if (chunkHits(v.chunks, false).some((s) => s === '3197' || s === '3198')) seg++;
      const r = chunkHits(v.chunks, true);
      if (r.some((s) => s === '3197' || s === '3198')) re++;
      if (r.some((s) => ['2192', '2251', '3409'].includes(s))) bind++;
    }
    rows.push(`| ${perKind[0]![i]!.name} | ${mark(vigil, kinds.length)} | ${mark(seg, kinds.length)} | ${mark(re, kinds.length)} | ${mark(bind, kinds.length)} |`);
  }
  return [`MS03-026 (600-letter UNC server) via ${kinds.join(', ')}; the same alert is required under every variant.`, '', ...rows].join('\n');
}
