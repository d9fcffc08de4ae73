// The persona's SMB1 answers (MS-CIFS 3.3.5, MS-SMB 3.3.5): NT LM 0.12 negotiate with extended
// security (or a hand-over to SMB2 for a persona that speaks it), NTLMSSP session setup, IPC$ only,
// pipes by name, pipe I/O through WriteAndX/ReadAndX and TransactNmPipe; everything else refused
// with the status Windows gives (Trans2 and NT Transact: STATUS_NOT_IMPLEMENTED, as an XP host
// without the DoublePulsar implant answers its probe).

import { randomBytes } from 'node:crypto';
import { ntlmsspIn } from '../../protocols/ntlm/ntlmssp.js';
import { normalizePipeName } from '../../protocols/smb/smb-connection.js';
import { spnegoInitNtlm } from '../../protocols/smb/spnego.js';
import {
  andxOnly, echoResponse, emptyBlock, encodeSmb1, negotiateNoDialect, negotiateResponse, ntCreatePipeResponse, readAndxResponse, replyHeader,
  sessionSetupResponse, transResponse, treeConnectResponse, writeAndxResponse, type Smb1Block,
} from '../../protocols/smb/smb1-encode.js';
import { SMB1_CMD, SMB1_FLAGS2, TRANS_TRANSACT_NMPIPE, type Smb1Body, type Smb1Command, type Smb1Message } from '../../protocols/smb/smb1-types.js';
import { NT_STATUS } from '../../protocols/smb/smb2-types.js';
import { PIPES } from '../persona/persona-interfaces.js';
import { filetime, ntlmStep } from './ntlm-answers.js';
import type { SmbHost } from './smb-host.js';
import { Smb2Server } from './smb2-server.js';

/** Disk shares the persona admits to having (srvsvc lists them) but never opens. */
const DENIED_SHARES = new Set(['C$', 'ADMIN$', 'SHAREDDOCS']);
const MAX_TRANSACTIONS = 16;

type Outcome = { status: number; block: Smb1Block; uid?: number; tid?: number };

export class Smb1Server {
  private readonly serverGuid = randomBytes(16);
  private uid = 0;
  /** Trees connected (tid -> share name upper-case). */
  private readonly trees = new Map<number, string>();
  /** TransactNmPipe requests waiting for their secondaries: PID/MID -> pipe key and MaxDataCount. */
  private readonly nmpipe = new Map<string, { key: string; maxData: number }>();

  constructor(private readonly host: SmbHost) {}

  answer(m: Smb1Message): void {
    const h = m.header;
    if (m.commands[0]?.command === SMB1_CMD.NEGOTIATE && m.commands[0].body.kind === 'negotiate_request') {
      this.negotiate(m, m.commands[0].body.dialects);
      return;
    }
    const blocks: Smb1Block[] = [];
    let status: number = NT_STATUS.SUCCESS;
    let uid = h.uid;
    let tid = h.tid;
    for (const c of m.commands) {
      const o = this.command(c, h.uid === 0 ? this.uid : h.uid, tid, `${h.pidHigh * 65536 + h.pid}:${h.mid}`, (h.flags2 & SMB1_FLAGS2.UNICODE) !== 0);
      if (!o) return; // no response (a secondary that leaves the transaction open)
      blocks.push(o.block);
      if (o.uid !== undefined) uid = o.uid;
      if (o.tid !== undefined) tid = o.tid;
      status = o.status;
      // an error ends the chain; MORE_PROCESSING and BUFFER_OVERFLOW carry a body
      if (status !== NT_STATUS.SUCCESS) break;
    }
    this.host.reply(encodeSmb1(replyHeader(h, status, uid, tid), blocks));
  }

  private negotiate(m: Smb1Message, dialects: readonly string[]): void {
    const h = m.header;
    this.host.note(`SMB1 NEGOTIATE ${dialects.join(', ')}`);
    const smb2 = this.host.facts.smb2Dialect;
    if (smb2 !== undefined && (dialects.includes('SMB 2.???') || dialects.includes('SMB 2.002'))) {
      // multi-protocol negotiate (MS-SMB2 3.3.5.3.1): answer in SMB2, wildcard when 2.1+ is possible
      const dialect = dialects.includes('SMB 2.???') && smb2 > 0x0202 ? 0x02ff : 0x0202;
      this.host.reply(Smb2Server.negotiateFromSmb1(this.host, dialect));
      return;
    }
    const idx = dialects.indexOf('NT LM 0.12');
    if (idx < 0) {
      this.host.reply(encodeSmb1(replyHeader(h, NT_STATUS.SUCCESS), [negotiateNoDialect()]));
      return;
    }
    const f = this.host.facts;
    const persona = this.host.ctx.persona;
    const ext = (h.flags2 & SMB1_FLAGS2.EXTENDED_SECURITY) !== 0 && f.version.major >= 5;
    const base = { dialectIndex: idx, securityMode: 0x03, maxMpxCount: f.maxMpxCount, maxBufferSize: f.maxBufferSize, systemTime: filetime(this.host.ctx.now()), timeZone: 0 };
    const block = ext
      ? negotiateResponse({ ...base, capabilities: f.capabilities, serverGuid: this.serverGuid, securityBlob: spnegoInitNtlm() })
      // DomainName and ServerName go out in UTF-16 even to a client that did not ask for Unicode:
      // nmap's SMBProgNeg (flags2 0x4001) gets them so from every Windows in nmap-service-probes
      // ("((?:..)*)\0\0"), and its smb.lua negotiate_v1 decodes them as UTF-16 unconditionally.
      : negotiateResponse({ ...base, capabilities: f.capabilities & 0x7fffffff, challenge: randomBytes(8), domain: persona.domain, server: persona.hostname }, true);
    const reply = replyHeader(h, NT_STATUS.SUCCESS);
    this.host.reply(encodeSmb1({ ...reply, flags2: ext ? reply.flags2! | SMB1_FLAGS2.EXTENDED_SECURITY : reply.flags2! & ~SMB1_FLAGS2.EXTENDED_SECURITY }, [block]));
  }

  private command(c: Smb1Command, uid: number, tid: number, key: string, unicode: boolean): Outcome | undefined {
    const b = c.body;
    const fail = (status: number): Outcome => ({ status, block: emptyBlock(c.command) });
    switch (b.kind) {
      case 'session_setup_request':
        return this.sessionSetup(b, unicode);
      case 'tree_connect_request': {
        const share = b.path.split('\\').pop()!.toUpperCase();
        this.host.note(`SMB1 TREE_CONNECT ${b.path}`);
        if (share !== 'IPC$') return fail(DENIED_SHARES.has(share) ? NT_STATUS.ACCESS_DENIED : NT_STATUS.BAD_NETWORK_NAME);
        const t = this.host.nextId();
        if (this.trees.size < this.host.smb.limits.maxTrees) this.trees.set(t, share);
        return { status: NT_STATUS.SUCCESS, block: treeConnectResponse('IPC', '', unicode), tid: t };
      }
      case 'nt_create_request': {
        const name = normalizePipeName(b.name);
        this.host.note(`SMB1 NT_CREATE ${b.name}`);
        if (this.trees.get(tid) !== 'IPC$' || !PIPES.has(name)) return fail(NT_STATUS.OBJECT_NAME_NOT_FOUND);
        return { status: NT_STATUS.SUCCESS, block: ntCreatePipeResponse(this.host.nextId()) };
      }
      case 'write_request':
        return this.host.pipe(`${tid}:${b.fid}`) ? { status: NT_STATUS.SUCCESS, block: writeAndxResponse(b.data.length) } : fail(NT_STATUS.INVALID_HANDLE);
      case 'read_request': {
        const p = this.host.pipe(`${tid}:${b.fid}`);
        if (!p) return fail(NT_STATUS.INVALID_HANDLE);
        if (p.available === 0) return fail(NT_STATUS.PIPE_EMPTY);
        const data = p.take(b.maxCount);
        return { status: p.available > 0 ? NT_STATUS.BUFFER_OVERFLOW : NT_STATUS.SUCCESS, block: readAndxResponse(data) };
      }
      case 'transaction_request':
        return this.transaction(c.command, b, tid, key);
      case 'transaction_secondary': {
        const t = this.nmpipe.get(key);
        if (b.sub !== 'trans' || !t || b.dataDisplacement + b.data.length < b.totalData) return undefined;
        this.nmpipe.delete(key);
        return this.nmpipeAnswer(t.key, t.maxData);
      }
      case 'close_request':
        return { status: NT_STATUS.SUCCESS, block: emptyBlock(c.command) };
      case 'echo':
        return { status: NT_STATUS.SUCCESS, block: echoResponse(1, b.data.subarray(0, 4096)) };
      case 'empty':
        if (c.command === SMB1_CMD.LOGOFF_ANDX) return { status: NT_STATUS.SUCCESS, block: andxOnly(c.command) };
        if (c.command === SMB1_CMD.TREE_DISCONNECT) {
          this.trees.delete(tid);
          return { status: NT_STATUS.SUCCESS, block: emptyBlock(c.command) };
        }
        return fail(NT_STATUS.NOT_IMPLEMENTED);
      default:
        void uid;
        return fail(NT_STATUS.NOT_IMPLEMENTED);
    }
  }

  private sessionSetup(b: Extract<Smb1Body, { kind: 'session_setup_request' }>, unicode: boolean): Outcome {
    const f = this.host.facts;
    const domain = this.host.ctx.persona.domain;
    if (this.uid === 0) this.uid = this.host.nextId();
    if (b.securityBlob === undefined) {
      // pre-NTLMSSP logon (LM / NTLM responses in the request): any account is let in as guest
      this.host.note(`SMB1 SESSION_SETUP account ${b.domain ?? ''}\\${b.account ?? ''}`);
      return { status: NT_STATUS.SUCCESS, block: sessionSetupResponse(b.account ? 1 : 0, undefined, f.nativeOs, f.nativeLanMan, domain, unicode), uid: this.uid };
    }
    const step = ntlmStep(ntlmsspIn(b.securityBlob), b.securityBlob, this.host.ctx.persona, f, this.host.ctx.now());
    if (step.kind === 'rejected') return { status: NT_STATUS.LOGON_FAILURE, block: emptyBlock(SMB1_CMD.SESSION_SETUP_ANDX) };
    if (step.kind === 'challenge') {
      return { status: NT_STATUS.MORE_PROCESSING_REQUIRED, block: sessionSetupResponse(0, step.blob, f.nativeOs, f.nativeLanMan, domain, unicode), uid: this.uid };
    }
    return { status: NT_STATUS.SUCCESS, block: sessionSetupResponse(step.anonymous ? 0 : 1, step.blob, f.nativeOs, f.nativeLanMan, domain, unicode), uid: this.uid };
  }

  private transaction(command: number, b: Extract<Smb1Body, { kind: 'transaction_request' }>, tid: number, key: string): Outcome | undefined {
    const fail = (status: number): Outcome => ({ status, block: emptyBlock(command) });
    if (b.sub !== 'trans') return fail(NT_STATUS.NOT_IMPLEMENTED);
    if (b.setup[0] !== TRANS_TRANSACT_NMPIPE || b.setup.length < 2) return fail(NT_STATUS.NOT_SUPPORTED);
    const pipeKey = `${tid}:${b.setup[1]}`;
    if (!this.host.pipe(pipeKey)) return fail(NT_STATUS.INVALID_HANDLE);
    if (b.data.length < b.totalData) {
      // secondaries follow: an interim response (no words), the real one after the last
      if (this.nmpipe.size >= MAX_TRANSACTIONS) this.nmpipe.delete(this.nmpipe.keys().next().value as string);
      this.nmpipe.set(key, { key: pipeKey, maxData: b.maxData });
      return { status: NT_STATUS.SUCCESS, block: emptyBlock(command) };
    }
    return this.nmpipeAnswer(pipeKey, b.maxData);
  }

  private nmpipeAnswer(pipeKey: string, maxData: number): Outcome {
    const p = this.host.pipe(pipeKey);
    if (!p) return { status: NT_STATUS.INVALID_HANDLE, block: emptyBlock(SMB1_CMD.TRANSACTION) };
    const data = p.take(Math.min(maxData, this.host.facts.maxBufferSize - 64));
    return { status: p.available > 0 ? NT_STATUS.BUFFER_OVERFLOW : NT_STATUS.SUCCESS, block: transResponse('trans', new Uint8Array(0), data) };
  }
}
