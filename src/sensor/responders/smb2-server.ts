// The persona's SMB2 answers (MS-SMB2 3.3.5), for a persona that speaks SMB 2.x: negotiate (from
// an SMB2 negotiate or an SMB1 multi-protocol one), NTLMSSP session setup (null or guest session,
// so nothing is signed), IPC$ only, pipes by name, WRITE/READ and FSCTL_PIPE_TRANSCEIVE; compounds
// answered as compounds. Anything else gets the error status Windows gives.

import { randomBytes } from 'node:crypto';
import { ntlmsspIn } from '../../protocols/ntlm/ntlmssp.js';
import { normalizePipeName } from '../../protocols/smb/smb-connection.js';
import { spnegoInitNtlm } from '../../protocols/smb/spnego.js';
import {
  closeResponseBody, createResponseBody, emptyResponseBody, encodeSmb2, errorResponseBody, ioctlResponseBody, negotiateResponseBody, readResponseBody,
  replyHeaderFor, sessionSetupResponseBody, treeConnectResponseBody, writeResponseBody, type Smb2Part,
} from '../../protocols/smb/smb2-encode.js';
import { FSCTL_PIPE_TRANSCEIVE, NT_STATUS, SMB2_CMD, type Smb2Command, type Smb2Message } from '../../protocols/smb/smb2-types.js';
import { PIPES } from '../persona/persona-interfaces.js';
import { filetime, ntlmStep } from './ntlm-answers.js';
import type { SmbHost } from './smb-host.js';

const SESSION_FLAG_IS_GUEST = 0x1;
const SESSION_FLAG_IS_NULL = 0x2;
const SHARE_TYPE_PIPE = 0x02;
const MAX_IO = 65536;
/** STATUS_INVALID_DEVICE_REQUEST: an FSCTL a pipe does not support. */
const INVALID_DEVICE_REQUEST = 0xc0000010;
const DENIED_SHARES = new Set(['C$', 'ADMIN$', 'SHAREDDOCS']);

export class Smb2Server {
  private readonly serverGuid = randomBytes(16);
  private sessionId = 0n;
  private readonly trees = new Map<number, string>();
  /** The FileId the last CREATE of a compound returned, for related requests that name it 0xFF..FF. */
  private lastFileId = '';

  constructor(private readonly host: SmbHost) {}

  /** The SMB2 negotiate response to an SMB1 multi-protocol negotiate (MessageId 0). */
  static negotiateFromSmb1(host: SmbHost, dialect: number): Uint8Array {
    return encodeSmb2([{ header: { command: SMB2_CMD.NEGOTIATE, flags: 1, messageId: 0n, credits: 1 }, body: negotiateBody(host, dialect, randomBytes(16)) }]);
  }

  answer(m: Smb2Message): void {
    const parts: Smb2Part[] = [];
    for (const c of m.commands) {
      if (c.isReply || c.header.command === SMB2_CMD.CANCEL) continue;
      const p = this.command(c);
      if (p) parts.push(p);
    }
    if (parts.length > 0) this.host.reply(encodeSmb2(parts));
  }

  private command(c: Smb2Command): Smb2Part | undefined {
    const h = c.header;
    const b = c.body;
    const ok = (body: Uint8Array, status: number = NT_STATUS.SUCCESS, sessionId?: bigint, treeId?: number): Smb2Part => ({ header: replyHeaderFor(h, status, sessionId, treeId), body });
    const fail = (status: number): Smb2Part => ok(errorResponseBody(), status);
    switch (b.kind) {
      case 'negotiate_request': {
        this.host.note(`SMB2 NEGOTIATE ${b.dialects.map((d) => d.toString(16).padStart(4, '0')).join(', ')}`);
        const max = this.host.facts.smb2Dialect ?? 0;
        const dialect = b.dialects.filter((d) => d <= max && (d === 0x0202 || d === 0x0210)).sort().pop();
        if (dialect === undefined) {
          this.host.drop();
          return fail(NT_STATUS.NOT_SUPPORTED);
        }
        return ok(negotiateBody(this.host, dialect, this.serverGuid));
      }
      case 'session_setup_request': {
        if (this.sessionId === 0n) this.sessionId = BigInt(this.host.nextId()) << 32n | 0x1dn;
        const step = ntlmStep(ntlmsspIn(b.securityBlob), b.securityBlob, this.host.ctx.persona, this.host.facts, this.host.ctx.now());
        if (step.kind === 'rejected') return ok(errorResponseBody(), NT_STATUS.LOGON_FAILURE, this.sessionId);
        if (step.kind === 'challenge') return ok(sessionSetupResponseBody(0, step.blob), NT_STATUS.MORE_PROCESSING_REQUIRED, this.sessionId);
        return ok(sessionSetupResponseBody(step.anonymous ? SESSION_FLAG_IS_NULL : SESSION_FLAG_IS_GUEST, step.blob), NT_STATUS.SUCCESS, this.sessionId);
      }
      case 'tree_connect_request': {
        const share = b.path.split('\\').pop()!.toUpperCase();
        this.host.note(`SMB2 TREE_CONNECT ${b.path}`);
        if (share !== 'IPC$') return fail(DENIED_SHARES.has(share) ? NT_STATUS.ACCESS_DENIED : NT_STATUS.BAD_NETWORK_NAME);
        const t = this.host.nextId();
        if (this.trees.size < this.host.smb.limits.maxTrees) this.trees.set(t, share);
        return ok(treeConnectResponseBody(SHARE_TYPE_PIPE, 0x30, 0x001f01ff), NT_STATUS.SUCCESS, undefined, t);
      }
      case 'create_request': {
        const name = normalizePipeName(b.name);
        this.host.note(`SMB2 CREATE ${b.name}`);
        if (this.trees.get(h.treeId) !== 'IPC$' || !PIPES.has(name)) return fail(NT_STATUS.OBJECT_NAME_NOT_FOUND);
        this.lastFileId = randomBytes(16).toString('hex');
        return ok(createResponseBody(this.lastFileId, filetime(this.host.ctx.now())));
      }
      case 'write_request':
        return this.host.pipe(this.fid(b.fileId)) ? ok(writeResponseBody(b.data.length)) : fail(NT_STATUS.FILE_CLOSED);
      case 'read_request': {
        const p = this.host.pipe(this.fid(b.fileId));
        if (!p) return fail(NT_STATUS.FILE_CLOSED);
        if (p.available === 0) return fail(NT_STATUS.PIPE_EMPTY);
        const data = p.take(Math.min(b.length, MAX_IO));
        return ok(readResponseBody(data), p.available > 0 ? NT_STATUS.BUFFER_OVERFLOW : NT_STATUS.SUCCESS);
      }
      case 'ioctl_request': {
        if (b.ctlCode !== FSCTL_PIPE_TRANSCEIVE) return fail(b.ctlCode === 0x00060194 ? NT_STATUS.NOT_FOUND : INVALID_DEVICE_REQUEST);
        const key = this.fid(b.fileId);
        const p = this.host.pipe(key);
        if (!p) return fail(NT_STATUS.FILE_CLOSED);
        const out = p.take(Math.min(b.maxOutput, MAX_IO));
        return ok(ioctlResponseBody(b.ctlCode, key, out), p.available > 0 ? NT_STATUS.BUFFER_OVERFLOW : NT_STATUS.SUCCESS);
      }
      case 'close_request':
        return ok(closeResponseBody());
      case 'empty':
        if (h.command === SMB2_CMD.TREE_DISCONNECT) this.trees.delete(h.treeId);
        return ok(emptyResponseBody());
      default:
        return fail(NT_STATUS.NOT_SUPPORTED);
    }
  }

  private fid(fileId: string): string {
    return /^f+$/.test(fileId) ? this.lastFileId : fileId;
  }
}

function negotiateBody(host: SmbHost, dialect: number, serverGuid: Uint8Array): Uint8Array {
  return negotiateResponseBody({
    securityMode: 0x01, // signing enabled, not required
    dialect,
    serverGuid,
    capabilities: dialect >= 0x0210 ? 0x1 : 0, // DFS
    maxTransactSize: MAX_IO,
    maxReadSize: MAX_IO,
    maxWriteSize: MAX_IO,
    systemTime: filetime(host.ctx.now()),
    securityBlob: spnegoInitNtlm(),
  });
}
