// Encoded replies that depend only on the persona and the request's shape (bind_ack for a context
// list, response fragments of a cached stub), encoded once and patched per use: call_id, p_cont_id
// and assoc_group_id are the only per-connection fields (C706 12.6.4.4 and 12.6.4.10 layouts).

import { encodeBindAck, fragmentResponse, type BindPdu, type ContextResult, type SyntaxId } from '../../protocols/dcerpc/index.js';
import { decideContext } from '../persona/bind-policy.js';
import { SERVED_ON_135, type ServedInterface } from '../persona/persona-interfaces.js';

/** Offsets in the little-endian PDUs our encoder writes (its default drep 10 00 00 00). */
const CALL_ID_AT = 12;
const ASSOC_GROUP_AT = 20; // bind_ack / alter_context_resp
const CONTEXT_ID_AT = 20; // response
/** Peers choose context lists, frag sizes and max_ents freely: remember a few shapes only, so a
 * fuzzing peer cannot grow these (shapes past the cap are encoded per use, as before). */
const MAX_BIND_SHAPES = 128;
const MAX_FRAG_SIZES_PER_STUB = 8;

export interface BindReply {
  /** The bind_ack / alter_context_resp bytes for this call (a fresh copy the caller owns). */
  readonly bytes: Uint8Array;
  /** Per context, in the bind's order: the interface it now carries when accepted. */
  readonly accepted: readonly (readonly [number, ServedInterface | undefined])[];
}

interface BindTemplate {
  readonly bytes: Uint8Array;
  readonly accepted: readonly (readonly [number, ServedInterface | undefined])[];
  /** The request shape it answers (for the structural check against the last shape served). */
  readonly type: BindPdu['type'];
  readonly contexts: BindPdu['contexts'];
  readonly frag: number;
  readonly secondaryAddress: string;
  /** The interfaces the endpoint accepts (port 135's, or a named pipe's). */
  readonly served: readonly ServedInterface[];
}

const bindTemplates = new Map<string, BindTemplate>();
/** The template served last: a stream of identical probes matches it without building a key. */
let lastBind: BindTemplate | undefined;

const sameSyntax = (a: SyntaxId, b: SyntaxId): boolean => a.uuid === b.uuid && a.versionMajor === b.versionMajor && a.versionMinor === b.versionMinor;

/** Whether `t` answers this request: the same fields bindShape() puts in the key. */
function answers(t: BindTemplate, pdu: BindPdu, frag: number, secondaryAddress: string, served: readonly ServedInterface[]): boolean {
  const a = t.contexts;
  const b = pdu.contexts;
  if (t.served !== served || t.type !== pdu.type || t.frag !== frag || t.secondaryAddress !== secondaryAddress || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.ctxId !== y.ctxId || !sameSyntax(x.abstractSyntax, y.abstractSyntax) || x.transferSyntaxes.length !== y.transferSyntaxes.length) return false;
    for (let j = 0; j < x.transferSyntaxes.length; j++) if (!sameSyntax(x.transferSyntaxes[j], y.transferSyntaxes[j])) return false;
  }
  return true;
}

/** Everything of a bind the reply depends on besides call_id and assoc group: type, frag size,
 * secondary address, and per context its id, abstract syntax and transfer syntaxes. */
function bindShape(pdu: BindPdu, frag: number, secondaryAddress: string, served: readonly ServedInterface[]): string {
  let key = `${pdu.type}|${frag}|${secondaryAddress}|${served === SERVED_ON_135 ? '' : served.map((s) => s.name).join(',')}`;
  for (const c of pdu.contexts) {
    const a = c.abstractSyntax;
    key += `|${c.ctxId}:${a.uuid}:${a.versionMajor}.${a.versionMinor}`;
    for (const t of c.transferSyntaxes) key += `/${t.uuid}:${t.versionMajor}.${t.versionMinor}`;
  }
  return key;
}

function encodeBindTemplate(pdu: BindPdu, frag: number, secondaryAddress: string, callId: number, assocGroupId: number, served: readonly ServedInterface[]): BindTemplate {
  const accepted: (readonly [number, ServedInterface | undefined])[] = [];
  const results: ContextResult[] = [];
  for (const c of pdu.contexts) {
    const d = decideContext(c, served);
    accepted.push([c.ctxId, d.accepted]);
    results.push(d.result);
  }
  const bytes = encodeBindAck({
    type: pdu.type === 'bind' ? 'bind_ack' : 'alter_context_resp',
    callId,
    maxXmitFrag: frag,
    maxRecvFrag: frag,
    assocGroupId,
    secondaryAddress,
    results,
  });
  // Own copies: the decoded PDU's objects belong to the connection that sent them.
  const syntax = (x: SyntaxId): SyntaxId => ({ uuid: x.uuid, versionMajor: x.versionMajor, versionMinor: x.versionMinor });
  const contexts = pdu.contexts.map((c) => ({ ctxId: c.ctxId, abstractSyntax: syntax(c.abstractSyntax), transferSyntaxes: c.transferSyntaxes.map(syntax) }));
  return { bytes, accepted, type: pdu.type, contexts, frag, secondaryAddress, served };
}

function patched(template: Uint8Array, callId: number, at: number, value: number, width: 2 | 4): Buffer {
  const out = Buffer.allocUnsafe(template.length);
  out.set(template);
  out.writeUInt32LE(callId >>> 0, CALL_ID_AT);
  if (width === 4) out.writeUInt32LE(value >>> 0, at);
  else out.writeUInt16LE(value & 0xffff, at);
  return out;
}

/** The persona's answer to a bind or alter_context (same bytes as encoding it afresh). */
export function bindReply(pdu: BindPdu, frag: number, secondaryAddress: string, assocGroupId: number, served: readonly ServedInterface[] = SERVED_ON_135): BindReply {
  const callId = pdu.header.callId;
  let t = lastBind && answers(lastBind, pdu, frag, secondaryAddress, served) ? lastBind : undefined;
  if (!t) {
    const key = bindShape(pdu, frag, secondaryAddress, served);
    t = bindTemplates.get(key);
    if (!t) {
      t = encodeBindTemplate(pdu, frag, secondaryAddress, callId, assocGroupId, served);
      if (bindTemplates.size >= MAX_BIND_SHAPES) return t;
      bindTemplates.set(key, t);
    }
    lastBind = t;
  }
  return { bytes: patched(t.bytes, callId, ASSOC_GROUP_AT, assocGroupId, 4), accepted: t.accepted };
}

/** Response fragments by stub (the dispatcher hands out the same stub object for the same answer)
 * and fragment size; a stub made for one call is collected with its entry. */
const responseTemplates = new WeakMap<Uint8Array, Map<number, Uint8Array[]>>();

/** fragmentResponse for this call, from the stub's encoded fragments when it was seen before. */
export function responseFragments(callId: number, ctxId: number, stub: Uint8Array, maxFragStub: number): Uint8Array[] {
  let bySize = responseTemplates.get(stub);
  let frags = bySize?.get(maxFragStub);
  if (!frags) {
    frags = fragmentResponse({ callId, ctxId, stub, maxFragStub });
    if (!bySize) responseTemplates.set(stub, (bySize = new Map()));
    if (bySize.size >= MAX_FRAG_SIZES_PER_STUB) return frags;
    bySize.set(maxFragStub, frags);
  }
  const out: Uint8Array[] = new Array(frags.length);
  for (let i = 0; i < frags.length; i++) out[i] = patched(frags[i], callId, CONTEXT_ID_AT, ctxId, 2);
  return out;
}
