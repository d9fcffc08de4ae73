// The scanner's SMB transport on 445 (direct TCP) and 139 (NetBIOS session service, RFC 1002 4.3):
// the project's NbssFramer cuts the stream into messages, smb1/smb2 encoders write requests and
// decoders read answers; a request waits for the answer with its MID (SMB1) or MessageId (SMB2),
// every wait bounded by the reply timeout and every message by the size limit.

import type { Socket } from 'node:net';
import type { Anomaly } from '../../model/anomaly.js';
import { NbssFramer, NBSS, encodeNbss } from '../../protocols/smb/netbios-framer.js';
import { sessionRequest } from '../../protocols/smb/netbios-name.js';
import { decodeSmb1 } from '../../protocols/smb/smb1-decode.js';
import { encodeSmb1, type Smb1Block } from '../../protocols/smb/smb1-encode.js';
import { SMB1_FLAGS, SMB1_FLAGS2, type Smb1Message } from '../../protocols/smb/smb1-types.js';
import { decodeSmb2 } from '../../protocols/smb/smb2-decode.js';
import { encodeSmb2 } from '../../protocols/smb/smb2-encode.js';
import { NT_STATUS, SMB2_FLAGS, type Smb2Command } from '../../protocols/smb/smb2-types.js';
import { ProbeError, ReplyInbox } from './reply-inbox.js';

export interface SmbClientLimits {
  /** How long to wait for each answer. */
  readonly replyTimeoutMs: number;
  /** Largest NetBIOS message accepted; a longer one fails the probe. */
  readonly maxMessageBytes: number;
  /** Reads after a BUFFER_OVERFLOW answer for one pipe exchange. */
  readonly maxPipeReads: number;
}

/** SMB1 commands in one AndX chain and SMB2 commands in one compound the client decodes. */
const MAX_CHAIN = 8;
/** Our process id in SMB1 headers (any constant: one client per connection). */
const PID = 0xfeff;
/** Credits asked for in each SMB2 request (the probe needs a handful). */
const CREDITS = 32;

type Answer = { readonly kind: 'smb1'; readonly m: Smb1Message; readonly raw: Uint8Array } | { readonly kind: 'smb2'; readonly c: Smb2Command; readonly raw: Uint8Array };

export class SmbClient {
  private readonly framer: NbssFramer;
  private readonly inbox: ReplyInbox<{ type: number; msg: Uint8Array }>;
  private mid = 0;
  private messageId = 0n;
  /** SMB1 UID / SMB2 SessionId after a session setup answer names one. */
  uid = 0;
  sessionId = 0n;
  /** SMB2 dialect in use (0 before an SMB2 negotiate answer), for CreditCharge. */
  smb2Dialect = 0;

  constructor(private readonly socket: Socket, readonly limits: SmbClientLimits) {
    this.inbox = new ReplyInbox('answer', limits.replyTimeoutMs);
    this.framer = new NbssFramer(limits.maxMessageBytes, (a: Anomaly) => {
      // a message over the limit or a stream that is not NetBIOS: the probe stops here
      this.inbox.fail(`not an SMB answer: ${a.name}${a.detail ? ` (${a.detail})` : ''}`);
    });
    socket.on('data', (d: Buffer) => {
      this.framer.push(d, (type, payload) => {
        if (type !== NBSS.KEEPALIVE) this.inbox.push({ type, msg: Uint8Array.prototype.slice.call(payload) });
      });
    });
    socket.on('close', () => this.inbox.close());
    socket.on('error', () => this.inbox.close());
  }

  /** The next NetBIOS message, in arrival order. */
  private next(): Promise<{ type: number; msg: Uint8Array }> {
    return this.inbox.next();
  }

  /** 139: the session request before any SMB (RFC 1002 4.3.2); a negative answer fails the probe. */
  async sessionRequest(called: string, calling: string): Promise<void> {
    this.socket.write(sessionRequest(called, calling));
    const { type, msg } = await this.next();
    if (type === NBSS.POSITIVE_RESPONSE) return;
    if (type === NBSS.NEGATIVE_RESPONSE) throw new ProbeError(`NetBIOS session request for ${called} refused (error 0x${(msg[0] ?? 0).toString(16)})`);
    throw new ProbeError(`NetBIOS session request answered with message type 0x${type.toString(16)}`);
  }

  /** The next SMB message that answers `match`, either dialect (a multi-protocol negotiate can be
   * answered in SMB2); answers to other requests are skipped. */
  private async answer(match: (a: Answer) => boolean): Promise<Answer> {
    for (;;) {
      const { type, msg } = await this.next();
      if (type !== NBSS.MESSAGE) continue;
      const found: Anomaly[] = [];
      let a: Answer | undefined;
      if (msg[0] === 0xff && msg[1] === 0x53) {
        const m = decodeSmb1(msg, MAX_CHAIN, found);
        if (m?.isReply) a = { kind: 'smb1', m, raw: msg };
      } else if (msg[0] === 0xfe && msg[1] === 0x53) {
        const c = decodeSmb2(msg, MAX_CHAIN, found).commands[0];
        if (c?.isReply) a = { kind: 'smb2', c, raw: msg };
      } else if (msg[0] === 0xfd) throw new ProbeError('the host answered with an encrypted SMB3 message');
      else throw new ProbeError(`not an SMB answer (protocol byte 0x${(msg[0] ?? 0).toString(16)})`);
      if (a && match(a)) return a;
    }
  }

  /** One SMB1 request; its answer (same MID). */
  async smb1(blocks: readonly Smb1Block[], opts: { flags2?: number; tid?: number } = {}): Promise<Smb1Message> {
    const a = await this.smb1Raw(blocks, opts);
    if (a.kind !== 'smb1') throw new ProbeError('SMB1 request answered in SMB2');
    return a.m;
  }

  /** One SMB1 request, whose answer may come in either dialect (the negotiate). */
  async smb1Raw(blocks: readonly Smb1Block[], opts: { flags2?: number; tid?: number } = {}): Promise<Answer> {
    const mid = (this.mid = (this.mid + 1) & 0xffff);
    const flags2 = opts.flags2 ?? (SMB1_FLAGS2.UNICODE | SMB1_FLAGS2.NT_STATUS | SMB1_FLAGS2.EXTENDED_SECURITY | SMB1_FLAGS2.LONG_NAMES);
    this.socket.write(encodeNbss(encodeSmb1({ flags: SMB1_FLAGS.CASE_INSENSITIVE | SMB1_FLAGS.CANONICALIZED, flags2, pid: PID, uid: this.uid, tid: opts.tid ?? 0, mid }, blocks)));
    // an SMB2 answer to a multi-protocol negotiate carries MessageId 0
    const a = await this.answer((x) => (x.kind === 'smb1' ? x.m.header.mid === mid : x.c.header.messageId === 0n));
    if (a.kind === 'smb2') this.messageId = 1n;
    return a;
  }

  /** One SMB2 request; its final answer (same MessageId; interim STATUS_PENDING answers skipped). */
  async smb2(command: number, body: Uint8Array, treeId = 0): Promise<Smb2Command> {
    const messageId = this.messageId++;
    const creditCharge = this.smb2Dialect >= 0x0210 ? 1 : 0;
    this.socket.write(encodeNbss(encodeSmb2([{ header: { command, messageId, credits: CREDITS, creditCharge, treeId, sessionId: this.sessionId }, body }])));
    const a = await this.answer((x) => x.kind === 'smb2' && x.c.header.messageId === messageId && !((x.c.header.flags & SMB2_FLAGS.ASYNC) !== 0 && x.c.header.status === NT_STATUS.PENDING));
    if (a.kind !== 'smb2') throw new ProbeError('SMB2 request answered in SMB1');
    return a.c;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const hexStatus = (s: number): string => `0x${(s >>> 0).toString(16).padStart(8, '0')}`;
