// A minimal DCE/RPC client for tests over loopback: sends encoded PDUs and reads whole reply PDUs
// (framed by frag_length), decoded with the project's codec.

import type { Socket } from 'node:net';
import { decodePdu, encodeBind, encodeRequest, TRANSFER_SYNTAX, type Pdu, type PresentationContext } from '../../src/protocols/dcerpc/index.js';
import { openClient } from './sensor-harness.js';

export class RpcTestClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RpcTestClient> {
    return new RpcTestClient(await openClient(port));
  }

  /** Wrap an already connected socket (e.g. one bound to another source address). */
  static wrap(socket: Socket): RpcTestClient {
    return new RpcTestClient(socket);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Raw bytes of the next reply PDU (bounded wait). */
  async nextRaw(ms = 3000): Promise<Buffer> {
    const until = Date.now() + ms;
    for (;;) {
      if (this.buf.length >= 10) {
        const len = this.buf.readUInt16LE(8);
        if (this.buf.length >= len) {
          const pdu = this.buf.subarray(0, len);
          this.buf = this.buf.subarray(len);
          return pdu;
        }
      }
      if (this.closed) throw new Error('connection closed before a whole PDU arrived');
      if (Date.now() > until) throw new Error('timed out waiting for a PDU');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  async next(): Promise<Pdu> {
    const res = decodePdu(await this.nextRaw());
    if (!res.ok) throw new Error(`reply did not decode: ${res.anomaly.name}`);
    return res.pdu;
  }

  async bind(contexts: readonly PresentationContext[], callId = 1): Promise<Pdu> {
    this.send(encodeBind({ callId, contexts, maxXmitFrag: 5840, maxRecvFrag: 5840 }));
    return this.next();
  }

  /** Send a request and collect the reply fragments' stubs into one (response) or the fault. */
  async call(opnum: number, stub: Uint8Array, opts: { ctxId?: number; callId?: number; littleEndian?: boolean } = {}): Promise<{ pdus: Pdu[]; stub: Buffer }> {
    this.send(encodeRequest({ opnum, stub, ctxId: opts.ctxId ?? 0, callId: opts.callId ?? 2, littleEndian: opts.littleEndian }));
    const pdus: Pdu[] = [];
    for (;;) {
      const p = await this.next();
      pdus.push(p);
      if (p.type !== 'response' || p.header.flags & 0x02) break;
    }
    const stubs = pdus.flatMap((p) => (p.type === 'response' ? [Buffer.from(p.stub)] : []));
    return { pdus, stub: Buffer.concat(stubs) };
  }

  close(): void {
    this.socket.end();
  }
}

export const ctx = (ctxId: number, uuid: string, major: number, transfer: { uuid: string; versionMajor: number; versionMinor: number } = TRANSFER_SYNTAX.NDR, minor = 0): PresentationContext => ({
  ctxId,
  abstractSyntax: { uuid, versionMajor: major, versionMinor: minor },
  transferSyntaxes: [transfer],
});
