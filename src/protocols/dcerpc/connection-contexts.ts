// Presentation contexts of one association (C706 12.6.3.1 p_cont_list / p_result_list, MS-RPCE
// 3.3.1.5.3 bind-time feature negotiation): offered by bind / alter_context, settled by their acks.

import type { DcerpcAnomalyName } from './anomalies.js';
import { TRANSFER_SYNTAX, type BindAckPdu, type BindPdu, type SyntaxId } from './pdu-types.js';

export interface ContextState {
  readonly ctxId: number;
  readonly abstractSyntax: SyntaxId;
  readonly offered: readonly SyntaxId[];
  /** offered: no ack seen yet; accepted / rejected by the ack; negotiate_ack: a BTFN context (not callable). */
  state: 'offered' | 'accepted' | 'rejected' | 'negotiate_ack';
  /** The transfer syntax the server chose (accepted), or the only one offered while unacked. */
  transferSyntax?: SyntaxId;
  /** Bind-time feature bitmask answered to a BTFN offer (MS-RPCE 2.2.2.14). */
  btfnFeatures?: number;
  /** The negotiated transfer syntax is NDR64. */
  ndr64: boolean;
}

/** How many offers may await their ack at once; a peer that never acks cannot grow this. */
const MAX_PENDING_OFFERS = 16;

export class ContextTable {
  private readonly contexts = new Map<number, ContextState>();
  /** Offers awaiting their ack, oldest first: call_ids and, at the same index, the context ids they
   * offered. Two arrays rather than a Map: a capture keeps thousands of connections open and a Map
   * per connection was a measurable share of garbage-collection time. */
  private pendingCalls: number[] = [];
  private pendingIds: number[][] = [];
  private bindAcked = false;

  constructor(
    private readonly maxContexts: number,
    private readonly flag: (name: DcerpcAnomalyName, detail: string, callId?: number) => void,
  ) {}

  get all(): ReadonlyMap<number, ContextState> {
    return this.contexts;
  }

  get(ctxId: number): ContextState | undefined {
    return this.contexts.get(ctxId);
  }

  /** bind or alter_context: each element (re)defines its context id; alter_context may reuse ids. */
  offer(pdu: BindPdu): void {
    const callId = pdu.header.callId;
    if (pdu.type === 'bind' && this.bindAcked) this.flag('second_bind', 'bind after an accepted bind on the same connection', callId);
    // made at the offer's size: pushing onto [] would reserve 17 slots per offer
    const ids: number[] = pdu.contexts.map((c) => c.ctxId);
    let full = false;
    for (const c of pdu.contexts) {
      if (!this.contexts.has(c.ctxId) && this.contexts.size >= this.maxContexts) {
        if (!full) this.flag('too_many_contexts', `more than ${this.maxContexts} contexts (maxContexts); ctx ${c.ctxId} ignored`, callId);
        full = true;
        continue;
      }
      const only = c.transferSyntaxes.length === 1 ? c.transferSyntaxes[0] : undefined;
      // two literals rather than a conditional spread: the spread made a temporary object and a
      // slow-path copy for every offered context
      const offered = c.transferSyntaxes;
      this.contexts.set(
        c.ctxId,
        only
          ? { ctxId: c.ctxId, abstractSyntax: c.abstractSyntax, offered, state: 'offered', transferSyntax: only, ndr64: only.uuid === TRANSFER_SYNTAX.NDR64.uuid }
          : { ctxId: c.ctxId, abstractSyntax: c.abstractSyntax, offered, state: 'offered', ndr64: false },
      );
    }
    if (this.pendingCalls.length >= MAX_PENDING_OFFERS) {
      this.pendingCalls.shift();
      this.pendingIds.shift();
    }
    // a repeated call_id replaces its offer in place (keeps its age), as Map.set would
    const at = this.pendingCalls.indexOf(callId);
    if (at >= 0) this.pendingIds[at] = ids;
    else if (this.pendingCalls.length === 0) {
      // one-element literals: a connection's lists would otherwise reserve 17 slots each, held
      // as long as the connection stays open (most have one offer pending at a time)
      this.pendingCalls = [callId];
      this.pendingIds = [ids];
    } else {
      this.pendingCalls.push(callId);
      this.pendingIds.push(ids);
    }
  }

  /** bind_ack / alter_context_resp: results answer the offer's elements in order (C706 12.6.4.4). */
  ack(pdu: BindAckPdu): void {
    const ids = this.takeOffer(pdu.header.callId);
    if (pdu.type === 'bind_ack') this.bindAcked = true;
    if (!ids) return;
    pdu.results.forEach((r, i) => {
      const ctx = this.contexts.get(ids[i]);
      if (!ctx || ids[i] === undefined) return;
      if (r.result === 0) {
        ctx.state = 'accepted';
        ctx.transferSyntax = r.transferSyntax;
        ctx.ndr64 = r.transferSyntax.uuid === TRANSFER_SYNTAX.NDR64.uuid;
      } else if (r.result === 3) {
        ctx.state = 'negotiate_ack';
        ctx.btfnFeatures = r.reason;
        delete ctx.transferSyntax;
      } else {
        ctx.state = 'rejected';
        delete ctx.transferSyntax;
      }
    });
  }

  /** bind_nak: everything the offer proposed is rejected. */
  nak(callId: number): void {
    for (const id of this.takeOffer(callId) ?? []) {
      const ctx = this.contexts.get(id);
      if (ctx && ctx.state === 'offered') ctx.state = 'rejected';
    }
  }

  /** The offer with this call_id, or else the most recent one (some stacks renumber acks). */
  private takeOffer(callId: number): number[] | undefined {
    let at = this.pendingCalls.indexOf(callId);
    if (at < 0) at = this.pendingCalls.length - 1;
    if (at < 0) return undefined;
    const ids = this.pendingIds[at];
    removeAt(this.pendingCalls, at);
    removeAt(this.pendingIds, at);
    return ids;
  }
}

/** list.splice(at, 1) without the array of removed elements splice returns. */
function removeAt<T>(list: T[], at: number): void {
  for (let i = at; i < list.length - 1; i++) list[i] = list[i + 1];
  list.pop();
}
