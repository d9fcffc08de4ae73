// SMB2 encoding (MS-SMB2 2.2.1-2.2.32): header plus one command body, and compounds of several
// (NextCommand, 8-aligned). The responses the persona sends and the requests tests and probes send.

import { ByteWriter } from '../../core/byte-writer.js';
import { utf16Bytes } from './smb-strings.js';
import { SMB2_CMD, SMB2_FLAGS } from './smb2-types.js';

export interface Smb2HeaderFields {
  readonly command: number;
  readonly status?: number;
  readonly flags?: number;
  readonly messageId: bigint;
  readonly credits?: number;
  readonly creditCharge?: number;
  readonly treeId?: number;
  readonly sessionId?: bigint;
  readonly asyncId?: bigint;
}

/** One command: header fields and a body builder (offsets in bodies count from the header start). */
export interface Smb2Part {
  readonly header: Smb2HeaderFields;
  /** The body, written after the 64-byte header (buffer offsets are 64 + position in the body). */
  readonly body: Uint8Array;
}

export const fileIdBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.padEnd(32, '0').slice(0, 32), 'hex'));

function header(w: ByteWriter, h: Smb2HeaderFields, next: number): void {
  w.u8(0xfe).u8(0x53).u8(0x4d).u8(0x42).u16(64).u16(h.creditCharge ?? 0).u32(h.status ?? 0).u16(h.command).u16(h.credits ?? 1).u32(h.flags ?? 0).u32(next).u64(h.messageId);
  if (h.asyncId !== undefined) w.u64(h.asyncId);
  else w.u32(0).u32(h.treeId ?? 0);
  w.u64(h.sessionId ?? 0n).zeros(16);
}

/** One message, or a compound when given several parts (each but the last padded to 8 bytes). */
export function encodeSmb2(parts: readonly Smb2Part[]): Uint8Array {
  const w = new ByteWriter(true, 256);
  parts.forEach((p, i) => {
    const last = i === parts.length - 1;
    const len = 64 + p.body.length;
    const padded = last ? len : len + ((8 - (len % 8)) % 8);
    header(w, p.header, last ? 0 : padded);
    w.bytes(p.body).zeros(padded - len);
  });
  return w.finish();
}

const body = (fill: (w: ByteWriter) => void): Uint8Array => {
  const w = new ByteWriter(true, 128);
  fill(w);
  return w.finish();
};

// ---- requests ----

export const negotiateRequestBody = (dialects: readonly number[], securityMode = 1, capabilities = 0): Uint8Array =>
  body((w) => {
    w.u16(36).u16(dialects.length).u16(securityMode).u16(0).u32(capabilities).zeros(16).u32(0).u16(0).u16(0);
    for (const d of dialects) w.u16(d);
  });

/** Negotiate context types (MS-SMB2 2.2.3.1): a 3.1.1 offer must carry the preauth integrity one. */
export const NEGOTIATE_CONTEXT = { PREAUTH_INTEGRITY: 0x0001, ENCRYPTION: 0x0002 } as const;

/** SMB2_PREAUTH_INTEGRITY_CAPABILITIES with SHA-512 (the only hash defined) and the client's salt. */
export const preauthIntegrityContext = (salt: Uint8Array): { type: number; data: Uint8Array } =>
  ({ type: NEGOTIATE_CONTEXT.PREAUTH_INTEGRITY, data: body((w) => w.u16(1).u16(salt.length).u16(0x0001).bytes(salt)) });

/** SMB2_ENCRYPTION_CAPABILITIES offering AES-128-GCM and AES-128-CCM. */
export const encryptionContext = (): { type: number; data: Uint8Array } =>
  ({ type: NEGOTIATE_CONTEXT.ENCRYPTION, data: body((w) => w.u16(2).u16(0x0002).u16(0x0001)) });

/** A negotiate request with a client GUID and, when 3.1.1 is offered, negotiate contexts after the
 * dialects (8-aligned from the header, each context 8-aligned; MS-SMB2 2.2.3). */
export function negotiateRequestWithContexts(dialects: readonly number[], clientGuid: Uint8Array, contexts: readonly { type: number; data: Uint8Array }[], securityMode = 1, capabilities = 0): Uint8Array {
  const w = new ByteWriter(true, 256);
  const listAt = contexts.length === 0 ? 0 : 64 + 36 + dialects.length * 2 + ((8 - ((36 + dialects.length * 2) % 8)) % 8);
  w.u16(36).u16(dialects.length).u16(securityMode).u16(0).u32(capabilities).bytes(clientGuid.subarray(0, 16)).zeros(16 - Math.min(16, clientGuid.length))
    .u32(listAt).u16(contexts.length).u16(0);
  for (const d of dialects) w.u16(d);
  for (const c of contexts) {
    while ((64 + w.length) % 8 !== 0) w.u8(0);
    w.u16(c.type).u16(c.data.length).u32(0).bytes(c.data);
  }
  return w.finish();
}

export const sessionSetupRequestBody = (blob: Uint8Array): Uint8Array => body((w) => w.u16(25).u8(0).u8(1).u32(0).u32(0).u16(64 + 24).u16(blob.length).u64(0n).bytes(blob));

export const treeConnectRequestBody = (path: string): Uint8Array => {
  const p = utf16Bytes(path);
  return body((w) => w.u16(9).u16(0).u16(64 + 8).u16(p.length).bytes(p));
};

export const createRequestBody = (name: string): Uint8Array => {
  const n = utf16Bytes(name);
  return body((w) => w.u16(57).u8(0).u8(0).u32(2).u64(0n).u64(0n).u32(0x0012019f).u32(0).u32(7).u32(1).u32(0).u16(64 + 56).u16(n.length).u32(0).u32(0).bytes(n.length > 0 ? n : new Uint8Array(1)));
};

export const writeRequestBody = (fileId: string, data: Uint8Array, offset = 0n): Uint8Array =>
  body((w) => w.u16(49).u16(64 + 48).u32(data.length).u64(offset).bytes(fileIdBytes(fileId)).u32(0).u32(0).u16(0).u16(0).u32(0).bytes(data));

export const readRequestBody = (fileId: string, length: number): Uint8Array =>
  body((w) => w.u16(49).u8(0x50).u8(0).u32(length).u64(0n).bytes(fileIdBytes(fileId)).u32(0).u32(0).u32(0).u16(0).u16(0).u8(0));

export const ioctlRequestBody = (ctlCode: number, fileId: string, input: Uint8Array, maxOutput = 4280): Uint8Array =>
  body((w) => w.u16(57).u16(0).u32(ctlCode).bytes(fileIdBytes(fileId)).u32(64 + 56).u32(input.length).u32(0).u32(0).u32(0).u32(maxOutput).u32(1).u32(0).bytes(input));

export const closeRequestBody = (fileId: string): Uint8Array => body((w) => w.u16(24).u16(0).u32(0).bytes(fileIdBytes(fileId)));

// ---- responses ----

export interface NegotiateResponseInput {
  readonly securityMode: number;
  readonly dialect: number;
  readonly serverGuid: Uint8Array;
  readonly capabilities: number;
  readonly maxTransactSize: number;
  readonly maxReadSize: number;
  readonly maxWriteSize: number;
  readonly systemTime: bigint;
  readonly securityBlob: Uint8Array;
}

export const negotiateResponseBody = (n: NegotiateResponseInput): Uint8Array =>
  body((w) =>
    w.u16(65).u16(n.securityMode).u16(n.dialect).u16(0).bytes(n.serverGuid.subarray(0, 16)).u32(n.capabilities).u32(n.maxTransactSize).u32(n.maxReadSize).u32(n.maxWriteSize)
      .u64(n.systemTime).u64(0n).u16(64 + 64).u16(n.securityBlob.length).u32(0).bytes(n.securityBlob),
  );

export const sessionSetupResponseBody = (sessionFlags: number, blob: Uint8Array): Uint8Array => body((w) => w.u16(9).u16(sessionFlags).u16(64 + 8).u16(blob.length).bytes(blob));

export const treeConnectResponseBody = (shareType: number, shareFlags: number, maximalAccess: number): Uint8Array => body((w) => w.u16(16).u8(shareType).u8(0).u32(shareFlags).u32(0).u32(maximalAccess));

export const createResponseBody = (fileId: string, systemTime: bigint): Uint8Array =>
  body((w) => w.u16(89).u8(0).u8(0).u32(1).u64(systemTime).u64(systemTime).u64(systemTime).u64(systemTime).u64(4096n).u64(0n).u32(0x80).u32(0).bytes(fileIdBytes(fileId)).u32(0).u32(0));

export const closeResponseBody = (): Uint8Array => body((w) => w.u16(60).u16(0).u32(0).zeros(56));

export const writeResponseBody = (count: number): Uint8Array => body((w) => w.u16(17).u16(0).u32(count).u32(0).u16(0).u16(0));

export const readResponseBody = (data: Uint8Array, remaining = 0): Uint8Array => body((w) => w.u16(17).u8(64 + 16).u8(0).u32(data.length).u32(remaining).u32(0).bytes(data.length > 0 ? data : new Uint8Array(1)));

export const ioctlResponseBody = (ctlCode: number, fileId: string, output: Uint8Array): Uint8Array =>
  body((w) => w.u16(49).u16(0).u32(ctlCode).bytes(fileIdBytes(fileId)).u32(64 + 48).u32(0).u32(64 + 48).u32(output.length).u32(0).u32(0).bytes(output));

/** StructureSize 4 responses: logoff, tree disconnect, echo. */
export const emptyResponseBody = (): Uint8Array => body((w) => w.u16(4).u16(0));

/** An error response (MS-SMB2 2.2.2): StructureSize 9, no error data (one pad byte). */
export const errorResponseBody = (): Uint8Array => body((w) => w.u16(9).u8(0).u8(0).u32(0).u8(0));

/** Response header fields for a request: the same ids with SERVER_TO_REDIR, and credits granted. */
export function replyHeaderFor(req: { command: number; messageId: bigint; treeId: number; sessionId: bigint; credits: number; flags: number }, status: number, sessionId = req.sessionId, treeId = req.treeId): Smb2HeaderFields {
  return {
    command: req.command,
    status,
    flags: SMB2_FLAGS.SERVER_TO_REDIR | (req.flags & SMB2_FLAGS.RELATED),
    messageId: req.messageId,
    credits: Math.max(1, Math.min(req.credits, 64)),
    treeId,
    sessionId,
  };
}

export { SMB2_CMD };
