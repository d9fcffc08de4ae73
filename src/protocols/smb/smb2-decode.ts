// SMB2/3 decoding (MS-SMB2 2.2.1 header, 2.2.3-2.2.32 commands, 3.3.5.2.7 compounds): one framed
// message in, its commands out. Compounds follow NextCommand (8-aligned, forward only); encrypted
// (transform header) and compressed messages are recognised and reported, never decrypted.

import { ByteReader } from '../../core/byte-reader.js';
import type { Anomaly } from '../../model/anomaly.js';
import { smbAnomaly } from './smb-anomalies.js';
import { utf16At } from './smb-strings.js';
import { SMB2_CMD, SMB2_FLAGS, type FileIdHex, type NegotiateContext, type Smb2Body, type Smb2Command, type Smb2Header, type Smb2Message, type Smb2Opaque } from './smb2-types.js';

export const SMB2_HEADER_LEN = 64;
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function fileIdHex(b: Uint8Array): FileIdHex {
  let s = '';
  for (let i = 0; i < 16; i++) s += HEX[b[i]];
  return s;
}

export function decodeSmb2Header(r: ByteReader): Smb2Header {
  r.skip(4);
  r.u16(); // StructureSize (64)
  const creditCharge = r.u16();
  const status = r.u32();
  const command = r.u16();
  const credits = r.u16();
  const flags = r.u32();
  const nextCommand = r.u32();
  const messageId = r.u64();
  let treeId = 0;
  let asyncId: bigint | undefined;
  if ((flags & SMB2_FLAGS.ASYNC) !== 0) asyncId = r.u64();
  else {
    r.u32();
    treeId = r.u32();
  }
  const sessionId = r.u64();
  const signature = r.bytes(16);
  const h = { creditCharge, status, command, credits, flags, nextCommand, messageId, treeId, sessionId, signature };
  return asyncId === undefined ? h : { ...h, asyncId };
}

export function decodeSmb2Opaque(msg: Uint8Array): Smb2Opaque {
  if (msg[0] === 0xfd && msg.length >= 52) return { dialect: 'encrypted', sessionId: new ByteReader(msg, 44, 52, true).u64(), length: msg.length };
  return { dialect: msg[0] === 0xfd ? 'encrypted' : 'compressed', length: msg.length };
}

/** Decode one SMB2 message and the commands compounded after it. */
export function decodeSmb2(msg: Uint8Array, maxCompound: number, found: Anomaly[]): Smb2Message {
  const commands: Smb2Command[] = [];
  let at = 0;
  for (;;) {
    if (commands.length >= maxCompound) {
      found.push(smbAnomaly('too_many_chained_commands', `compound longer than ${maxCompound}`));
      break;
    }
    if (msg.length - at < SMB2_HEADER_LEN + 2 || msg[at] !== 0xfe || msg[at + 1] !== 0x53 || msg[at + 2] !== 0x4d || msg[at + 3] !== 0x42) {
      found.push(smbAnomaly(msg.length - at < SMB2_HEADER_LEN + 2 ? 'smb_truncated_message' : 'smb_bad_protocol_id', `SMB2 command at ${at} of ${msg.length}`, at));
      break;
    }
    const nextCommand = msg[at + 20] | (msg[at + 21] << 8) | (msg[at + 22] << 16) | (msg[at + 23] << 24);
    const end = nextCommand === 0 ? msg.length : at + (nextCommand >>> 0);
    if (nextCommand !== 0 && ((nextCommand >>> 0) < SMB2_HEADER_LEN || end > msg.length || nextCommand % 8 !== 0)) {
      found.push(smbAnomaly('smb2_bad_next_command', `NextCommand ${nextCommand >>> 0} at ${at} in ${msg.length}`, at));
    }
    const cmdEnd = nextCommand !== 0 && end <= msg.length && (nextCommand >>> 0) >= SMB2_HEADER_LEN ? end : msg.length;
    const r = new ByteReader(msg, at, cmdEnd, true);
    const header = decodeSmb2Header(r);
    const isReply = (header.flags & SMB2_FLAGS.SERVER_TO_REDIR) !== 0;
    let body: Smb2Body;
    try {
      body = decodeBody(header, isReply, r, msg, at, cmdEnd);
    } catch (e) {
      found.push(smbAnomaly('smb_malformed_command', `SMB2 command ${header.command}: ${e instanceof Error ? e.message : String(e)}`, at));
      body = { kind: 'other' };
    }
    commands.push({ header, isReply, body });
    if (cmdEnd === msg.length) break;
    at = cmdEnd;
  }
  return { dialect: 2, commands };
}

/** Buffer at `offset` from the command's header, `len` bytes, checked against the command. */
function buffer(msg: Uint8Array, hdr: number, end: number, offset: number, len: number): Uint8Array {
  if (len === 0) return msg.subarray(0, 0);
  const r = new ByteReader(msg, hdr, end, true);
  r.seek(Math.min(offset, end - hdr));
  return r.bytes(len);
}

function decodeBody(h: Smb2Header, isReply: boolean, r: ByteReader, msg: Uint8Array, hdr: number, end: number): Smb2Body {
  const size = r.u16();
  // An error response (StructureSize 9 where the command's own differs) carries only error data.
  if (isReply && size === 9 && h.command !== SMB2_CMD.SESSION_SETUP && h.status !== 0 && (h.status >>> 0) !== 0x80000005) {
    r.skip(2);
    const n = r.u32();
    return { kind: 'error_response', data: r.bytes(Math.min(n, r.remaining)) };
  }
  const buf = (offset: number, len: number): Uint8Array => buffer(msg, hdr, end, offset, len);
  switch (h.command) {
    case SMB2_CMD.NEGOTIATE:
      return isReply ? negotiateResponse(r, buf) : negotiateRequest(r, buf);
    case SMB2_CMD.SESSION_SETUP: {
      if (isReply) {
        const sessionFlags = r.u16();
        return { kind: 'session_setup_response', sessionFlags, securityBlob: buf(r.u16(), r.u16()) };
      }
      const flags = r.u8();
      const securityMode = r.u8();
      const capabilities = r.u32();
      r.u32(); // Channel
      const off = r.u16();
      const len = r.u16();
      return { kind: 'session_setup_request', flags, securityMode, capabilities, previousSessionId: r.u64(), securityBlob: buf(off, len) };
    }
    case SMB2_CMD.TREE_CONNECT: {
      if (isReply) {
        const shareType = r.u8();
        r.u8();
        return { kind: 'tree_connect_response', shareType, shareFlags: r.u32(), capabilities: r.u32(), maximalAccess: r.u32() };
      }
      r.u16();
      const off = r.u16();
      const len = r.u16();
      const p = buf(off, len);
      return { kind: 'tree_connect_request', path: utf16At(p, 0, p.length) };
    }
    case SMB2_CMD.CREATE:
      return isReply ? createResponse(r) : createRequest(r, buf);
    case SMB2_CMD.CLOSE:
      if (isReply) return { kind: 'empty' };
      r.skip(6);
      return { kind: 'close_request', fileId: fileIdHex(r.bytes(16)) };
    case SMB2_CMD.READ: {
      if (isReply) {
        const off = r.u8();
        r.u8();
        const len = r.u32();
        return { kind: 'read_response', remaining: r.u32(), data: buf(off, len) };
      }
      r.skip(2);
      const length = r.u32();
      const offset = r.u64();
      return { kind: 'read_request', fileId: fileIdHex(r.bytes(16)), length, offset };
    }
    case SMB2_CMD.WRITE: {
      if (isReply) {
        r.u16();
        return { kind: 'write_response', count: r.u32() };
      }
      const off = r.u16();
      const len = r.u32();
      const offset = r.u64();
      const fileId = fileIdHex(r.bytes(16));
      return { kind: 'write_request', fileId, offset, data: buf(off, len) };
    }
    case SMB2_CMD.IOCTL:
      return isReply ? ioctlResponse(r, buf) : ioctlRequest(r, buf);
    case SMB2_CMD.LOGOFF:
    case SMB2_CMD.TREE_DISCONNECT:
    case SMB2_CMD.ECHO:
      return { kind: 'empty' };
    default:
      return { kind: 'other' };
  }
}

function contexts(buf: (o: number, l: number) => Uint8Array, offset: number, count: number): NegotiateContext[] {
  const out: NegotiateContext[] = [];
  let at = offset;
  for (let i = 0; i < count && i < 32; i++) {
    const head = buf(at, 8);
    const type = head[0] | (head[1] << 8);
    const len = head[2] | (head[3] << 8);
    out.push({ type, data: buf(at + 8, len) });
    at += 8 + len;
    at += (8 - (at % 8)) % 8; // each context is 8-aligned (MS-SMB2 2.2.3.1)
  }
  return out;
}

function negotiateRequest(r: ByteReader, buf: (o: number, l: number) => Uint8Array): Smb2Body {
  const count = r.u16();
  const securityMode = r.u16();
  r.u16();
  const capabilities = r.u32();
  const clientGuid = r.bytes(16);
  const ctxOffset = r.u32();
  const ctxCount = r.u16();
  r.u16();
  const dialects: number[] = [];
  for (let i = 0; i < count && r.remaining >= 2 && i < 64; i++) dialects.push(r.u16());
  const ctx = dialects.includes(0x0311) && ctxCount > 0 ? contexts(buf, ctxOffset, ctxCount) : [];
  return { kind: 'negotiate_request', dialects, securityMode, capabilities, clientGuid, contexts: ctx };
}

function negotiateResponse(r: ByteReader, buf: (o: number, l: number) => Uint8Array): Smb2Body {
  const securityMode = r.u16();
  const dialect = r.u16();
  const ctxCount = r.u16();
  const serverGuid = r.bytes(16);
  const capabilities = r.u32();
  const maxTransactSize = r.u32();
  const maxReadSize = r.u32();
  const maxWriteSize = r.u32();
  const systemTime = r.u64();
  r.u64(); // ServerStartTime
  const blobOff = r.u16();
  const blobLen = r.u16();
  const ctxOffset = r.u32();
  const ctx = dialect === 0x0311 && ctxCount > 0 ? contexts(buf, ctxOffset, ctxCount) : [];
  return { kind: 'negotiate_response', securityMode, dialect, serverGuid, capabilities, maxTransactSize, maxReadSize, maxWriteSize, systemTime, securityBlob: buf(blobOff, blobLen), contexts: ctx };
}

function createRequest(r: ByteReader, buf: (o: number, l: number) => Uint8Array): Smb2Body {
  r.skip(2); // SecurityFlags, RequestedOplockLevel
  const impersonationLevel = r.u32();
  r.skip(16); // SmbCreateFlags, Reserved
  const desiredAccess = r.u32();
  r.skip(8); // FileAttributes, ShareAccess
  const createDisposition = r.u32();
  const createOptions = r.u32();
  const off = r.u16();
  const len = r.u16();
  const n = buf(off, len);
  return { kind: 'create_request', name: utf16At(n, 0, n.length), desiredAccess, createDisposition, createOptions, impersonationLevel };
}

function createResponse(r: ByteReader): Smb2Body {
  r.skip(2);
  const createAction = r.u32();
  r.skip(48); // four times, allocation size, end of file
  const fileAttributes = r.u32();
  r.u32();
  return { kind: 'create_response', fileId: fileIdHex(r.bytes(16)), createAction, fileAttributes };
}

function ioctlRequest(r: ByteReader, buf: (o: number, l: number) => Uint8Array): Smb2Body {
  r.u16();
  const ctlCode = r.u32();
  const fileId = fileIdHex(r.bytes(16));
  const inOff = r.u32();
  const inLen = r.u32();
  r.u32(); // MaxInputResponse
  r.u32(); // OutputOffset
  r.u32(); // OutputCount
  const maxOutput = r.u32();
  const flags = r.u32();
  return { kind: 'ioctl_request', ctlCode, fileId, input: buf(inOff, inLen), maxOutput, flags };
}

function ioctlResponse(r: ByteReader, buf: (o: number, l: number) => Uint8Array): Smb2Body {
  r.u16();
  const ctlCode = r.u32();
  const fileId = fileIdHex(r.bytes(16));
  r.u32(); // InputOffset
  r.u32(); // InputCount
  const outOff = r.u32();
  const outLen = r.u32();
  return { kind: 'ioctl_response', ctlCode, fileId, output: buf(outOff, outLen) };
}
