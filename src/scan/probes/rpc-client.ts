// The scanner's connection-oriented DCE/RPC client (C706 chapter 12.6) on the project's engine: the
// framer cuts the stream into PDUs, pdu-decode reads them, pdu-encode writes bind and request. It
// binds contexts, makes calls and reassembles fragmented responses, every wait and size bounded.

import { AppError } from '../../core/errors.js';
import { toHex } from '../../core/hex.js';
import { DcerpcFramer, decodePdu, encodeBind, encodeRequest, PFC, TRANSFER_SYNTAX, type Pdu, type SyntaxId } from '../../protocols/dcerpc/index.js';
import { ProbeError, ReplyInbox } from './reply-inbox.js';

/** RPC over HTTP v1 (ncacn_http on 593): the server greets with this before any PDU (MS-RPCH 2.1.1.1). */
export const NCACN_HTTP_BANNER = 'ncacn_http/1.0';

export interface RpcClientLimits {
  /** How long to wait for each reply. */
  readonly replyTimeoutMs: number;
  /** Largest reassembled response stub accepted (the rest is a protocol error). */
  readonly maxStubBytes: number;
  /** Largest fragment we offer to receive (and send). */
  readonly maxFrag: number;
}

export const DEFAULT_RPC_CLIENT_LIMITS: RpcClientLimits = { replyTimeoutMs: 3000, maxStubBytes: 1 << 20, maxFrag: 5840 };

export type CallOutcome =
  | { readonly kind: 'response'; readonly stub: Uint8Array; readonly littleEndian: boolean; readonly raw: Uint8Array }
  | { readonly kind: 'fault'; readonly status: number; readonly raw: Uint8Array };

/** The byte stream the client talks over: a TCP socket (135, 593), or an SMB named pipe
 * (smb-pipe.ts) that looks like one to it. */
export interface RpcByteStream {
  write(b: Uint8Array): unknown;
  on(event: 'data', listener: (d: Buffer) => void): unknown;
  on(event: 'close' | 'error', listener: () => void): unknown;
  destroy(): unknown;
}

export { ProbeError };

export class RpcClient {
  private readonly framer: DcerpcFramer;
  private readonly pdus: ReplyInbox<Uint8Array>;
  private pending = Buffer.alloc(0);
  private banner: number;
  private callId = 1;

  constructor(private readonly socket: RpcByteStream, private readonly limits: RpcClientLimits = DEFAULT_RPC_CLIENT_LIMITS, expectBanner = false) {
    this.banner = expectBanner ? NCACN_HTTP_BANNER.length : 0;
    this.framer = new DcerpcFramer({ maxFragLength: Math.max(limits.maxFrag, 65535) });
    this.pdus = new ReplyInbox('reply', limits.replyTimeoutMs);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => this.pdus.close());
    socket.on('error', () => this.pdus.close());
  }

  private onData(d: Buffer): void {
    let chunk: Uint8Array = d;
    if (this.banner > 0) {
      // The greeting is skipped byte for byte; a different greeting is not RPC over HTTP.
      this.pending = Buffer.concat([this.pending, d]);
      if (this.pending.length < this.banner) return;
      const greet = this.pending.subarray(0, this.banner).toString('latin1');
      if (greet !== NCACN_HTTP_BANNER) {
        this.socket.destroy();
        return this.pdus.close();
      }
      chunk = this.pending.subarray(this.banner);
      this.banner = 0;
      this.pending = Buffer.alloc(0);
    }
    // The framer's view is valid only during the call: keep a copy of each PDU.
    // a copy: the range is valid only during the call, and Buffer#slice would be a view
    this.framer.push(chunk, (buf, start, end) => this.pdus.push(Uint8Array.prototype.slice.call(buf, start, end)));
  }

  private async nextPdu(): Promise<{ pdu: Pdu; raw: Uint8Array }> {
    const raw = await this.pdus.next();
    const r = decodePdu(raw);
    if (!r.ok) throw new ProbeError(`reply did not decode (${r.anomaly.name})`);
    return { pdu: r.pdu, raw };
  }


  /** Bind one context per interface; returns, per interface, whether the server accepted it. */
  async bind(ifaces: readonly SyntaxId[]): Promise<boolean[]> {
    const contexts = ifaces.map((abstractSyntax, ctxId) => ({ ctxId, abstractSyntax, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }));
    this.socket.write(encodeBind({ callId: this.callId++, contexts, maxXmitFrag: this.limits.maxFrag, maxRecvFrag: this.limits.maxFrag }));
    const { pdu } = await this.nextPdu();
    if (pdu.type === 'bind_nak') throw new ProbeError(`bind refused (bind_nak reason ${pdu.rejectReason})`);
    if (pdu.type !== 'bind_ack') throw new ProbeError(`bind answered with ${pdu.type}`);
    return ifaces.map((_, i) => pdu.results[i]?.result === 0);
  }

  /** One request on context `ctxId`; the response stub reassembled from its fragments, or the fault. */
  async call(ctxId: number, opnum: number, stub: Uint8Array): Promise<CallOutcome> {
    const callId = this.callId++;
    this.socket.write(encodeRequest({ callId, ctxId, opnum, stub }));
    const parts: Uint8Array[] = [];
    const raws: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { pdu, raw } = await this.nextPdu();
      if (pdu.header.callId !== callId) continue; // a stray reply to an earlier call
      if (pdu.type === 'fault') return { kind: 'fault', status: pdu.status, raw };
      if (pdu.type !== 'response') throw new ProbeError(`request answered with ${pdu.type}`);
      size += pdu.stub.length;
      if (size > this.limits.maxStubBytes) throw new ProbeError(`response stub over ${this.limits.maxStubBytes} bytes`);
      parts.push(pdu.stub);
      raws.push(raw);
      if (pdu.header.flags & PFC.LAST_FRAG) {
        return { kind: 'response', stub: Buffer.concat(parts), littleEndian: pdu.header.littleEndian, raw: Buffer.concat(raws) };
      }
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Hex of at most `max` bytes, for evidence strings. */
export function evidenceHex(b: Uint8Array, max = 256): string {
  return toHex(b.subarray(0, max));
}

export function assertNever(x: never): never {
  throw new AppError('VIGIL_ERR_INTERNAL', `unexpected ${String(x)}`);
}
