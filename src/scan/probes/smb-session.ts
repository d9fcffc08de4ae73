// The SMB conversation steps of the scanner, in either dialect, as a modern client takes them
// (impacket's SMBConnection, nmap's smb library): a multi-protocol SMB1 negotiate offering NT LM 0.12
// and SMB 2.002 / 2.??? (MS-SMB2 3.2.4.2.2.1), then, when the server answers in SMB2 with the
// wildcard, an SMB2 negotiate offering every dialect up to 3.1.1 (with the preauth integrity and
// encryption contexts 3.1.1 requires); a session setup carrying an NTLMSSP NEGOTIATE to obtain the
// CHALLENGE (MS-NLMP 3.1.5.1.1) and, for the pipe check only, an anonymous AUTHENTICATE (3.2.5.1.2:
// empty user and NT response, LM response Z(1)); IPC$ and a named pipe. No credential is ever sent.

import { randomBytes } from 'node:crypto';
import { encodeAuthenticate, encodeNegotiate, ntlmsspIn, NTLM_FLAGS, type NtlmChallenge } from '../../protocols/ntlm/ntlmssp.js';
import { negotiateRequest, ntCreateRequest, readAndxRequest, sessionSetupRequest, transRequest, treeConnectRequest } from '../../protocols/smb/smb1-encode.js';
import { SMB1_CMD, SMB1_FLAGS2, TRANS_TRANSACT_NMPIPE, type Smb1Body } from '../../protocols/smb/smb1-types.js';
import {
  createRequestBody, encryptionContext, ioctlRequestBody, negotiateRequestWithContexts, preauthIntegrityContext, readRequestBody, sessionSetupRequestBody, treeConnectRequestBody,
} from '../../protocols/smb/smb2-encode.js';
import { FSCTL_PIPE_TRANSCEIVE, NT_STATUS, SMB2_CMD, type Smb2Body } from '../../protocols/smb/smb2-types.js';
import { spnegoClientResp, spnegoInitWith } from '../../protocols/smb/spnego.js';
import { ProbeError } from './rpc-client.js';
import { hexStatus, type SmbClient } from './smb-client.js';

export const NT_LM_012 = 'NT LM 0.12';
/** The SMB2/3 dialects offered, lowest first (MS-SMB2 2.2.3). */
export const SMB2_DIALECTS: readonly number[] = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311];
const DIALECT_NAMES: Readonly<Record<number, string>> = { 0x0202: '2.0.2', 0x0210: '2.1', 0x0300: '3.0', 0x0302: '3.0.2', 0x0311: '3.1.1' };
export const dialectName = (d: number): string => DIALECT_NAMES[d] ?? `0x${d.toString(16).padStart(4, '0')}`;
const WILDCARD = 0x02ff;

/** SMB1 SecurityMode bits (MS-CIFS 2.2.4.52.2) and SMB2's (MS-SMB2 2.2.4). */
const SMB1_SIGNING = { ENABLED: 0x04, REQUIRED: 0x08 } as const;
const SMB2_SIGNING = { ENABLED: 0x01, REQUIRED: 0x02 } as const;

/** Largest pipe answer asked for at once (what Windows clients ask for in TransactNmPipe). */
const PIPE_CHUNK = 4280;

export interface Negotiated {
  /** 'NT LM 0.12' or the SMB2/3 dialect, e.g. '2.1'. */
  readonly dialect: string;
  readonly smb2: boolean;
  readonly signing: { readonly enabled: boolean; readonly required: boolean };
  /** The host's clock (FILETIME) and when we read it (epoch ms); undefined when it sent zero. */
  readonly systemTime?: bigint;
  readonly receivedAt: number;
  /** SMB1 without extended security (NT 4.0 and older): the names are in the negotiate answer. */
  readonly extendedSecurity: boolean;
  readonly domain?: string;
  readonly server?: string;
}

/** The negotiate. `offerSmb2` false offers NT LM 0.12 alone (does the host still speak SMB1?);
 * a host that refuses it (dialect index 0xFFFF) gives a ProbeError. */
export async function negotiate(c: SmbClient, offerSmb2: boolean): Promise<Negotiated> {
  const dialects = offerSmb2 ? [NT_LM_012, 'SMB 2.002', 'SMB 2.???'] : [NT_LM_012];
  const a = await c.smb1Raw([negotiateRequest(dialects)]);
  const receivedAt = Date.now();
  if (a.kind === 'smb1') {
    const b = a.m.commands[0]?.body;
    if (b?.kind !== 'negotiate_response' || a.m.header.status !== NT_STATUS.SUCCESS) throw new ProbeError(`SMB1 negotiate answered with status ${hexStatus(a.m.header.status)}`);
    if (b.dialectIndex !== 0) throw new ProbeError(b.dialectIndex === 0xffff ? 'no SMB1 dialect accepted (NT LM 0.12 refused)' : `SMB1 negotiate chose dialect index ${b.dialectIndex}`);
    const extendedSecurity = (a.m.header.flags2 & SMB1_FLAGS2.EXTENDED_SECURITY) !== 0 && b.securityBlob !== undefined;
    return {
      dialect: NT_LM_012, smb2: false, receivedAt, extendedSecurity,
      signing: { enabled: (b.securityMode & SMB1_SIGNING.ENABLED) !== 0, required: (b.securityMode & SMB1_SIGNING.REQUIRED) !== 0 },
      ...(b.systemTime > 0n ? { systemTime: b.systemTime } : {}),
      ...(b.domain ? { domain: b.domain } : {}),
      ...(b.server ? { server: b.server } : {}),
    };
  }
  let r = negotiated2(a.c.body, a.c.header.status, receivedAt);
  if (r.wildcard) {
    // the host speaks 2.1 or later: offer every dialect in an SMB2 negotiate (MessageId 1)
    const contexts = [preauthIntegrityContext(randomBytes(32)), encryptionContext()];
    const c2 = await c.smb2(SMB2_CMD.NEGOTIATE, negotiateRequestWithContexts(SMB2_DIALECTS, randomBytes(16), contexts));
    r = negotiated2(c2.body, c2.header.status, Date.now());
    if (r.wildcard) throw new ProbeError('SMB2 negotiate answered with the wildcard dialect again');
  }
  c.smb2Dialect = r.dialect;
  return r.n;
}

function negotiated2(b: Smb2Body, status: number, receivedAt: number): { n: Negotiated; dialect: number; wildcard: boolean } {
  if (b.kind !== 'negotiate_response' || status !== NT_STATUS.SUCCESS) throw new ProbeError(`SMB2 negotiate answered with status ${hexStatus(status)}`);
  return {
    dialect: b.dialect,
    wildcard: b.dialect === WILDCARD,
    n: {
      dialect: dialectName(b.dialect), smb2: true, receivedAt, extendedSecurity: true,
      signing: { enabled: (b.securityMode & SMB2_SIGNING.ENABLED) !== 0, required: (b.securityMode & SMB2_SIGNING.REQUIRED) !== 0 },
      ...(b.systemTime > 0n ? { systemTime: b.systemTime } : {}),
    },
  };
}

/** NTLMSSP NEGOTIATE asking for the target info and the VERSION (which the CHALLENGE then carries). */
function ntlmNegotiate(): Uint8Array {
  const f = NTLM_FLAGS;
  return encodeNegotiate({ flags: f.UNICODE | f.OEM | f.REQUEST_TARGET | f.NTLM | f.ALWAYS_SIGN | f.EXTENDED_SESSIONSECURITY | f.VERSION | f.N128 | f.N56 });
}

export interface ChallengeAnswer {
  readonly challenge: NtlmChallenge;
  /** SMB1 only: the session setup answer's NativeOS, NativeLanMan and PrimaryDomain. */
  readonly nativeOs?: string;
  readonly nativeLanMan?: string;
  readonly primaryDomain?: string;
}

/** Session setup with an NTLMSSP NEGOTIATE: the host's CHALLENGE (MORE_PROCESSING_REQUIRED). */
export async function ntlmChallenge(c: SmbClient, n: Negotiated): Promise<ChallengeAnswer> {
  const blob = spnegoInitWith(ntlmNegotiate());
  let status: number;
  let answer: Uint8Array | undefined;
  let strings: Pick<ChallengeAnswer, 'nativeOs' | 'nativeLanMan' | 'primaryDomain'> = {};
  if (n.smb2) {
    const r = await c.smb2(SMB2_CMD.SESSION_SETUP, sessionSetupRequestBody(blob));
    status = r.header.status;
    c.sessionId = r.header.sessionId;
    if (r.body.kind === 'session_setup_response') answer = r.body.securityBlob;
  } else {
    const m = await c.smb1([sessionSetupRequest(blob)]);
    status = m.header.status;
    c.uid = m.header.uid;
    const b = m.commands[0]?.body;
    if (b?.kind === 'session_setup_response') {
      answer = b.securityBlob;
      strings = { ...(b.nativeOs ? { nativeOs: b.nativeOs } : {}), ...(b.nativeLanMan ? { nativeLanMan: b.nativeLanMan } : {}), ...(b.domain ? { primaryDomain: b.domain } : {}) };
    }
  }
  if (status !== NT_STATUS.MORE_PROCESSING_REQUIRED) throw new ProbeError(`session setup (NTLMSSP NEGOTIATE) answered with status ${hexStatus(status)}`);
  const m = answer ? ntlmsspIn(answer) : undefined;
  if (m?.type !== 2) throw new ProbeError('session setup answer carries no NTLMSSP CHALLENGE');
  return { challenge: m, ...strings };
}

/** The anonymous AUTHENTICATE that completes a null session (the pipe check's only logon). */
export async function anonymousLogon(c: SmbClient, n: Negotiated, challenge: NtlmChallenge): Promise<void> {
  const f = NTLM_FLAGS;
  const flags = (challenge.flags & (f.UNICODE | f.NTLM | f.EXTENDED_SESSIONSECURITY | f.ALWAYS_SIGN)) | f.ANONYMOUS;
  const token = encodeAuthenticate({ flags, domain: '', user: '', workstation: '', lmResponse: new Uint8Array(1), ntResponse: new Uint8Array(0) });
  const blob = spnegoClientResp(token);
  const status = n.smb2
    ? (await c.smb2(SMB2_CMD.SESSION_SETUP, sessionSetupRequestBody(blob))).header.status
    : (await c.smb1([sessionSetupRequest(blob)])).header.status;
  if (status !== NT_STATUS.SUCCESS) throw new ProbeError(`anonymous session refused (status ${hexStatus(status)})`);
}

/** An open named pipe: write a message and read its answer in one exchange. */
export interface SmbPipe {
  readonly name: string;
  transceive(data: Uint8Array): Promise<Uint8Array>;
  close(): void;
}

/** Tree connect to IPC$ and open `name` there (SMB1 NT_CREATE_ANDX or SMB2 CREATE). */
export async function openPipe(c: SmbClient, n: Negotiated, host: string, name: string): Promise<SmbPipe> {
  const unc = `\\\\${host}\\IPC$`;
  if (n.smb2) {
    const t = await c.smb2(SMB2_CMD.TREE_CONNECT, treeConnectRequestBody(unc));
    if (t.header.status !== NT_STATUS.SUCCESS) throw new ProbeError(`tree connect to IPC$ refused (status ${hexStatus(t.header.status)})`);
    const tree = t.header.treeId;
    const cr = await c.smb2(SMB2_CMD.CREATE, createRequestBody(name), tree);
    if (cr.header.status !== NT_STATUS.SUCCESS || cr.body.kind !== 'create_response') throw new ProbeError(`no \\PIPE\\${name} on IPC$ (status ${hexStatus(cr.header.status)})`);
    const fileId = cr.body.fileId;
    return {
      name,
      close: () => c.close(),
      transceive: async (data) => {
        const r = await c.smb2(SMB2_CMD.IOCTL, ioctlRequestBody(FSCTL_PIPE_TRANSCEIVE, fileId, data, PIPE_CHUNK), tree);
        if (r.body.kind !== 'ioctl_response') throw new ProbeError(`FSCTL_PIPE_TRANSCEIVE answered with status ${hexStatus(r.header.status)}`);
        return readRest(c, r.header.status, r.body.output, async () => {
          const more = await c.smb2(SMB2_CMD.READ, readRequestBody(fileId, PIPE_CHUNK), tree);
          return { status: more.header.status, data: more.body.kind === 'read_response' ? more.body.data : new Uint8Array(0) };
        });
      },
    };
  }
  const t = await c.smb1([treeConnectRequest(unc)]);
  if (t.header.status !== NT_STATUS.SUCCESS) throw new ProbeError(`tree connect to IPC$ refused (status ${hexStatus(t.header.status)})`);
  const tid = t.header.tid;
  const cr = await c.smb1([ntCreateRequest(`\\${name}`)], { tid });
  const body = cr.commands[0]?.body;
  if (cr.header.status !== NT_STATUS.SUCCESS || body?.kind !== 'nt_create_response') throw new ProbeError(`no \\PIPE\\${name} on IPC$ (status ${hexStatus(cr.header.status)})`);
  const fid = body.fid;
  return {
    name,
    close: () => c.close(),
    transceive: async (data) => {
      // TransactNmPipe (MS-CIFS 2.2.5.6): the write and the read of one message in one exchange
      const r = await c.smb1([transRequest({ sub: 'trans', setup: [TRANS_TRANSACT_NMPIPE, fid], name: '\\PIPE\\', data, maxData: PIPE_CHUNK })], { tid });
      const b: Smb1Body | undefined = r.commands[0]?.body;
      if (b?.kind !== 'transaction_response') throw new ProbeError(`TransactNmPipe answered with status ${hexStatus(r.header.status)}`);
      return readRest(c, r.header.status, b.data, async () => {
        const more = await c.smb1([readAndxRequest(fid, PIPE_CHUNK)], { tid });
        const mb = more.commands.find((x) => x.command === SMB1_CMD.READ_ANDX)?.body;
        return { status: more.header.status, data: mb?.kind === 'read_response' ? mb.data : new Uint8Array(0) };
      });
    },
  };
}

/** The answer, and while the host says BUFFER_OVERFLOW (more of the message waits) the reads that
 * fetch the rest, at most `maxPipeReads` of them. */
async function readRest(c: SmbClient, status: number, first: Uint8Array, read: () => Promise<{ status: number; data: Uint8Array }>): Promise<Uint8Array> {
  const parts = [first];
  let size = first.length;
  let s = status;
  for (let i = 0; s === NT_STATUS.BUFFER_OVERFLOW; i++) {
    if (i >= c.limits.maxPipeReads) throw new ProbeError(`pipe answer longer than ${c.limits.maxPipeReads} reads`);
    const r = await read();
    parts.push(r.data);
    size += r.data.length;
    if (size > c.limits.maxMessageBytes) throw new ProbeError(`pipe answer over ${c.limits.maxMessageBytes} bytes`);
    s = r.status;
  }
  if (s !== NT_STATUS.SUCCESS) throw new ProbeError(`pipe read answered with status ${hexStatus(s)}`);
  return Buffer.concat(parts);
}
