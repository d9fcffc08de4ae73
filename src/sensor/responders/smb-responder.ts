// The Windows persona's SMB server on 139 and 445 (MS-CIFS, MS-SMB, MS-SMB2): negotiate, NTLMSSP
// session setup (null, guest or any credentials), IPC$ and the named pipes, each pipe served by the
// same RpcResponder as port 135. The project's SmbConnection follows both directions (framing,
// trees, pipes, anomalies); smb1-server.ts and smb2-server.ts decide the replies. It never serves a
// file, never executes and never connects anywhere: every other share and file is refused.

import type { Anomaly } from '../../model/anomaly.js';
import type { Direction } from '../../model/flow.js';
import type { NtlmMessage } from '../../protocols/ntlm/ntlmssp.js';
import { encodeNbss, NBSS } from '../../protocols/smb/netbios-framer.js';
import { SmbConnection, type PipeInfo, type SmbMessage } from '../../protocols/smb/smb-connection.js';
import { PIPES } from '../persona/persona-interfaces.js';
import { smbFacts, type SmbPersonaFacts } from '../persona/smb-persona.js';
import { authenticateNote } from './ntlm-answers.js';
import { PipeServer } from './smb-pipe-server.js';
import { Smb1Server } from './smb1-server.js';
import { Smb2Server } from './smb2-server.js';
import type { Responder, ResponderContext } from './responder-types.js';
import type { SmbHost } from './smb-host.js';

/** Anomalies that mean the stream is not SMB at all. */
const FATAL = new Set(['nbss_unknown_type', 'smb_bad_protocol_id', 'smb_message_too_long', 'smb2_encrypted', 'smb2_compressed']);

export class SmbResponder implements Responder, SmbHost {
  readonly facts: SmbPersonaFacts;
  readonly smb: SmbConnection;
  lastNtlm: NtlmMessage | undefined;
  private readonly out: Uint8Array[] = [];
  private readonly smb1: Smb1Server;
  private readonly smb2: Smb2Server;
  private ids = 0x800;
  private dropping = false;
  /** The peer's stream is not SMB: its bytes are no longer parsed. */
  private dead = false;
  /** On 139 a NetBIOS session request must come first (RFC 1002 4.3.2); 445 has none. */
  private sessionUp: boolean;

  constructor(readonly ctx: ResponderContext) {
    this.facts = smbFacts(ctx.persona.os);
    this.smb = new SmbConnection({
      openPipe: (p) => this.openPipe(p),
      onMessage: (dir, msg) => this.onMessage(dir, msg),
      onNtlm: (dir, m) => this.onNtlm(dir, m),
      onAnomaly: (a, dir) => this.onAnomaly(a, dir),
    });
    this.smb1 = new Smb1Server(this);
    this.smb2 = new Smb2Server(this);
    this.sessionUp = ctx.basePort !== 139;
  }

  start(): void {}

  data(chunk: Buffer): void {
    if (this.dropping || this.dead) return;
    this.smb.feed('to_server', chunk, this.ctx.now());
    this.flush();
  }

  finish(): void {
    this.smb.close(this.ctx.now());
  }

  held(): number {
    let n = this.smb.heldBytes;
    for (const key of this.pipeKeys) n += this.pipe(key)?.held ?? 0;
    return n;
  }

  midMessage(): boolean {
    // a dead stream cannot tell, like the silent responder
    return this.dead || this.smb.midMessage;
  }

  reply(msg: Uint8Array): void {
    this.out.push(encodeNbss(msg));
  }

  private readonly pipeKeys = new Set<string>();
  pipe(key: string): PipeServer | undefined {
    const sink = this.smb.pipe(key)?.sink;
    return sink instanceof PipeServer ? sink : undefined;
  }

  note(line: string): void {
    this.ctx.record.transcript('in', Buffer.from(line, 'utf8'), this.ctx.now());
  }

  nextId(): number {
    this.ids = this.ids >= 0xfffe ? 0x800 : this.ids + 1;
    return this.ids;
  }

  drop(): void {
    this.dropping = true;
  }

  /** Replies go out after the peer's bytes are processed, and are fed back as to_client so the
   * connection pairs requests with responses and opens pipes as a capture of this session would. */
  private flush(): void {
    while (this.out.length > 0) {
      const b = this.out.shift()!;
      this.ctx.send(b);
      this.smb.feed('to_client', b, this.ctx.now());
    }
    if (this.dropping) this.ctx.end();
  }

  private openPipe(p: PipeInfo): PipeServer | undefined {
    const served = PIPES.get(p.name);
    if (!served) return undefined;
    this.pipeKeys.add(p.key);
    if (this.pipeKeys.size > 4 * this.smb.limits.maxPipes) this.pipeKeys.clear();
    return new PipeServer(this.ctx, p.name, served);
  }

  private onMessage(dir: Direction, msg: SmbMessage): void {
    if (dir !== 'to_server' || this.dropping) return;
    switch (msg.dialect) {
      case 'nbss':
        // 139: a session request gets a positive response; keepalives need none
        if (msg.type === NBSS.SESSION_REQUEST) {
          this.sessionUp = true;
          this.note('NBSS session request');
          this.out.push(encodeNbss(new Uint8Array(0), NBSS.POSITIVE_RESPONSE));
        }
        return;
      case 1:
      case 2:
        if (!this.sessionUp) return this.refuseSession();
        return msg.dialect === 1 ? this.smb1.answer(msg) : this.answerSmb2(msg);
      default:
        this.drop();
    }
  }

  /** SMB on 139 before any session request: Windows answers a NEGATIVE SESSION RESPONSE with error
   * 0x8F (unspecified, RFC 1002 4.3.4) and closes; nmap-service-probes knows exactly those five
   * bytes as "Microsoft Windows netbios-ssn". */
  private refuseSession(): void {
    this.note('SMB before an NBSS session request on 139: negative session response');
    this.out.push(encodeNbss(new Uint8Array([0x8f]), NBSS.NEGATIVE_RESPONSE));
    this.drop();
  }

  private answerSmb2(msg: SmbMessage & { dialect: 2 }): void {
    if (this.facts.smb2Dialect === undefined) {
      // a pre-Vista host does not know SMB2: it drops the connection
      this.note('SMB2 to an SMB1-only persona: dropped');
      this.drop();
      return;
    }
    this.smb2.answer(msg);
  }

  private onNtlm(dir: Direction, m: NtlmMessage): void {
    if (dir !== 'to_server') return;
    this.lastNtlm = m;
    if (m.type === 3) this.note(authenticateNote(m));
  }

  private onAnomaly(a: Anomaly, dir: Direction | undefined): void {
    if (dir === 'to_client') return; // our own replies
    if (this.ctx.record.anomaly(a)) {
      const f = this.ctx.record.flow;
      this.ctx.emit({ type: 'anomaly', ts: this.ctx.now(), source: 'sensor', src: f.src, dst: f.dst, proto: 'tcp', sport: f.sport, dport: this.ctx.basePort, session: this.ctx.record.id, anomaly: a });
    }
    // Not SMB at all: Windows drops such a stream (and nmap's non-SMB probes get their answer at once)
    if (FATAL.has(a.name)) this.drop();
  }
}

export function smbResponder(ctx: ResponderContext): Responder {
  return new SmbResponder(ctx);
}
