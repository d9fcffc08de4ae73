// SMB1 decoding (MS-CIFS 2.2.3 header and 2.2.4 commands, MS-SMB 2.2.4 extended security): one
// message in, its header and the decoded commands of its AndX chain out. Every read is bounded by
// the message; offsets the peer gives (AndX, data, parameter) are checked, never trusted.

import { ByteReader } from '../../core/byte-reader.js';
import type { Anomaly } from '../../model/anomaly.js';
import { smbAnomaly } from './smb-anomalies.js';
import { readSmbString } from './smb-strings.js';
import {
  ANDX_COMMANDS, SMB1_CAPS, SMB1_CMD, SMB1_FLAGS, SMB1_FLAGS2,
  type Smb1Body, type Smb1Command, type Smb1Header, type Smb1Message, type TransactionKind,
} from './smb1-types.js';

export const SMB1_HEADER_LEN = 32;

export function decodeSmb1Header(r: ByteReader): Smb1Header {
  r.skip(4); // FF 'SMB', checked by the caller
  const command = r.u8();
  const status = r.u32();
  const flags = r.u8();
  const flags2 = r.u16();
  const pidHigh = r.u16();
  const signature = r.bytes(8);
  r.skip(2);
  const tid = r.u16();
  const pid = r.u16();
  const uid = r.u16();
  const mid = r.u16();
  return { command, status, flags, flags2, pidHigh, signature, tid, pid, uid, mid };
}

/** Decode one SMB1 message; undefined (with an anomaly in `found`) when even the header is short. */
export function decodeSmb1(msg: Uint8Array, maxChain: number, found: Anomaly[]): Smb1Message | undefined {
  if (msg.length < SMB1_HEADER_LEN + 3) {
    found.push(smbAnomaly('smb_truncated_message', `SMB1 message of ${msg.length} bytes`));
    return undefined;
  }
  const r = new ByteReader(msg, 0, msg.length, true);
  const header = decodeSmb1Header(r);
  const isReply = (header.flags & SMB1_FLAGS.REPLY) !== 0;
  const commands: Smb1Command[] = [];
  let command = header.command;
  let at = SMB1_HEADER_LEN;
  for (;;) {
    if (commands.length >= maxChain) {
      found.push(smbAnomaly('too_many_chained_commands', `AndX chain longer than ${maxChain}`));
      break;
    }
    let next: { command: number; offset: number } | undefined;
    try {
      const block = new ByteReader(msg, at, msg.length, true);
      const wc = block.u8();
      // MS-SMB 2.2.4.9.2: the extended NT_CREATE_ANDX response says WordCount 42 but carries 50 words
      const realWc = isReply && command === SMB1_CMD.NT_CREATE_ANDX && wc === 42 && block.remaining >= 102 ? 50 : wc;
      const words = block.sub(realWc * 2);
      const bc = block.u16();
      const bytes = block.sub(Math.min(bc, block.remaining));
      if (bc > bytes.length && realWc === wc) found.push(smbAnomaly('smb_truncated_message', `command 0x${command.toString(16)} byte count ${bc} > ${bytes.length} present`, at));
      const ctx: Ctx = { msg, header, isReply, unicode: (header.flags2 & SMB1_FLAGS2.UNICODE) !== 0 };
      commands.push({ command, wordCount: wc, body: decodeBody(command, wc, words, bytes, ctx) });
      if (ANDX_COMMANDS.has(command) && wc >= 2) {
        const andx = words.buf[words.start];
        const offset = words.buf[words.start + 2] | (words.buf[words.start + 3] << 8);
        if (andx !== SMB1_CMD.NO_ANDX) next = { command: andx, offset };
      }
    } catch (e) {
      found.push(smbAnomaly('smb_malformed_command', `command 0x${command.toString(16)}: ${e instanceof Error ? e.message : String(e)}`, at));
      commands.push({ command, wordCount: msg[at] ?? 0, body: { kind: 'other' } });
      break;
    }
    if (!next) break;
    if (next.offset <= at || next.offset >= msg.length) {
      found.push(smbAnomaly('smb_andx_offset_backwards', `AndX offset ${next.offset} after a command at ${at} in ${msg.length} bytes`, at));
      break;
    }
    command = next.command;
    at = next.offset;
  }
  return { dialect: 1, header, isReply, commands };
}

interface Ctx {
  readonly msg: Uint8Array;
  readonly header: Smb1Header;
  readonly isReply: boolean;
  readonly unicode: boolean;
}

/** `count` bytes at `offset` from the header start (a view), checked against the message. */
function at(ctx: Ctx, offset: number, count: number): Uint8Array {
  if (count === 0) return ctx.msg.subarray(0, 0);
  const r = new ByteReader(ctx.msg, 0, ctx.msg.length);
  r.seek(Math.min(offset, ctx.msg.length));
  return r.bytes(count);
}

function decodeBody(cmd: number, wc: number, w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  if (ctx.isReply && wc === 0 && cmd !== SMB1_CMD.NEGOTIATE) return { kind: 'empty' };
  switch (cmd) {
    case SMB1_CMD.NEGOTIATE:
      return ctx.isReply ? negotiateResponse(wc, w, b, ctx) : negotiateRequest(b);
    case SMB1_CMD.SESSION_SETUP_ANDX:
      return ctx.isReply ? sessionSetupResponse(wc, w, b, ctx) : sessionSetupRequest(wc, w, b, ctx);
    case SMB1_CMD.TREE_CONNECT_ANDX:
      return ctx.isReply ? treeConnectResponse(w, b, ctx) : treeConnectRequest(w, b, ctx);
    case SMB1_CMD.NT_CREATE_ANDX:
      return ctx.isReply ? ntCreateResponse(w) : ntCreateRequest(w, b, ctx);
    case SMB1_CMD.READ_ANDX:
      return ctx.isReply ? readResponse(w, ctx) : readRequest(w);
    case SMB1_CMD.WRITE_ANDX:
      return ctx.isReply ? writeResponse(w) : writeRequest(wc, w, ctx);
    case SMB1_CMD.TRANSACTION:
    case SMB1_CMD.TRANSACTION2:
      return ctx.isReply ? transResponse(cmd === SMB1_CMD.TRANSACTION ? 'trans' : 'trans2', w, ctx) : transRequest(cmd === SMB1_CMD.TRANSACTION ? 'trans' : 'trans2', w, b, ctx);
    case SMB1_CMD.TRANSACTION_SECONDARY:
    case SMB1_CMD.TRANSACTION2_SECONDARY:
      return transSecondary(cmd === SMB1_CMD.TRANSACTION_SECONDARY ? 'trans' : 'trans2', w, ctx);
    case SMB1_CMD.NT_TRANSACT:
      return ctx.isReply ? ntTransResponse(w, ctx) : ntTransRequest(w, ctx);
    case SMB1_CMD.NT_TRANSACT_SECONDARY:
      return ntTransSecondary(w, ctx);
    case SMB1_CMD.CLOSE:
      return ctx.isReply ? { kind: 'empty' } : { kind: 'close_request', fid: w.u16() };
    case SMB1_CMD.ECHO:
      return { kind: 'echo', count: wc >= 1 ? w.u16() : 0, data: b.bytes(b.remaining) };
    case SMB1_CMD.LOGOFF_ANDX:
    case SMB1_CMD.TREE_DISCONNECT:
      return { kind: 'empty' };
    default:
      return { kind: 'other' };
  }
}

function negotiateRequest(b: ByteReader): Smb1Body {
  const dialects: string[] = [];
  // each dialect: BufferFormat 0x02 then an OEM NUL-terminated name
  while (b.remaining > 0 && dialects.length < 64) {
    if (b.u8() !== 0x02) break;
    dialects.push(readSmbString(b, false, 0));
  }
  return { kind: 'negotiate_request', dialects };
}

function negotiateResponse(wc: number, w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  const dialectIndex = w.u16();
  if (wc < 17) return { kind: 'negotiate_response', dialectIndex, securityMode: 0, maxMpxCount: 0, maxBufferSize: 0, capabilities: 0, systemTime: 0n, timeZone: 0 };
  const securityMode = w.u8();
  const maxMpxCount = w.u16();
  w.u16(); // MaxNumberVcs
  const maxBufferSize = w.u32();
  w.u32(); // MaxRawSize
  w.u32(); // SessionKey
  const capabilities = w.u32();
  const systemTime = w.u64();
  const timeZone = w.i16();
  const challengeLength = w.u8();
  const base = { kind: 'negotiate_response' as const, dialectIndex, securityMode, maxMpxCount, maxBufferSize, capabilities, systemTime, timeZone };
  if ((capabilities & SMB1_CAPS.EXTENDED_SECURITY) !== 0) {
    const serverGuid = b.bytes(Math.min(16, b.remaining));
    return { ...base, serverGuid, securityBlob: b.bytes(b.remaining) };
  }
  const challenge = b.bytes(Math.min(challengeLength, b.remaining));
  // Windows sends both names in UTF-16 without alignment padding even when flags2 lacks Unicode
  // (see negotiateResponse in smb1-encode.ts); base = here: no pad byte is skipped.
  const domain = b.remaining > 0 ? readSmbString(b, true, b.pos) : '';
  const server = b.remaining > 0 ? readSmbString(b, true, b.pos) : '';
  return { ...base, challenge, domain, server };
}

function sessionSetupRequest(wc: number, w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(4);
  const maxBufferSize = w.u16();
  w.skip(4); // MaxMpxCount, VcNumber
  w.u32(); // SessionKey
  if (wc === 12) {
    const blobLen = w.u16();
    w.u32();
    const capabilities = w.u32();
    const securityBlob = b.bytes(Math.min(blobLen, b.remaining));
    const nativeOs = b.remaining > 0 ? readSmbString(b, ctx.unicode, 0) : '';
    const nativeLanMan = b.remaining > 0 ? readSmbString(b, ctx.unicode, 0) : '';
    return { kind: 'session_setup_request', maxBufferSize, capabilities, securityBlob, nativeOs, nativeLanMan };
  }
  const oemLen = w.u16();
  const uniLen = wc >= 13 ? w.u16() : 0;
  w.u32();
  const capabilities = wc >= 13 ? w.u32() : 0;
  b.skip(Math.min(oemLen + uniLen, b.remaining));
  const str = (): string => (b.remaining > 0 ? readSmbString(b, ctx.unicode, 0) : '');
  const account = str();
  const domain = str();
  const nativeOs = str();
  const nativeLanMan = str();
  return { kind: 'session_setup_request', maxBufferSize, capabilities, account, domain, passwordLengths: [oemLen, uniLen], nativeOs, nativeLanMan };
}

function sessionSetupResponse(wc: number, w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(4);
  const action = w.u16();
  const securityBlob = wc >= 4 ? b.bytes(Math.min(w.u16(), b.remaining)) : undefined;
  const str = (): string => (b.remaining > 0 ? readSmbString(b, ctx.unicode, 0) : '');
  const nativeOs = str();
  const nativeLanMan = str();
  const domain = str();
  return securityBlob ? { kind: 'session_setup_response', action, securityBlob, nativeOs, nativeLanMan, domain } : { kind: 'session_setup_response', action, nativeOs, nativeLanMan, domain };
}

function treeConnectRequest(w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(4);
  const flags = w.u16();
  b.skip(Math.min(w.u16(), b.remaining)); // password
  const path = readSmbString(b, ctx.unicode, 0);
  const service = b.remaining > 0 ? readSmbString(b, false, 0) : '';
  return { kind: 'tree_connect_request', flags, path, service };
}

function treeConnectResponse(w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(4);
  const optionalSupport = w.remaining >= 2 ? w.u16() : 0;
  const service = b.remaining > 0 ? readSmbString(b, false, 0) : '';
  const nativeFileSystem = b.remaining > 0 ? readSmbString(b, ctx.unicode, 0) : '';
  return { kind: 'tree_connect_response', optionalSupport, service, nativeFileSystem };
}

function ntCreateRequest(w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(5);
  const nameLength = w.u16();
  w.skip(8); // Flags, RootDirectoryFID
  const desiredAccess = w.u32();
  w.skip(12); // AllocationSize, ExtFileAttributes
  const shareAccess = w.u32();
  const createDisposition = w.u32();
  const createOptions = w.u32();
  const nameEnd = Math.min(b.end, b.pos + nameLength + (ctx.unicode ? 1 : 0));
  const nr = new ByteReader(b.buf, b.pos, nameEnd, true);
  return { kind: 'nt_create_request', name: readSmbString(nr, ctx.unicode, 0), desiredAccess, createDisposition, createOptions, shareAccess };
}

function ntCreateResponse(w: ByteReader): Smb1Body {
  w.skip(4);
  const oplockLevel = w.u8();
  const fid = w.u16();
  const createAction = w.u32();
  w.skip(32 + 4 + 16); // times, attributes, allocation size, end of file
  const resourceType = w.u16();
  const pipeState = w.u16();
  return { kind: 'nt_create_response', fid, oplockLevel, createAction, resourceType, pipeState };
}

function readRequest(w: ByteReader): Smb1Body {
  w.skip(4);
  const fid = w.u16();
  const offset = w.u32();
  return { kind: 'read_request', fid, offset, maxCount: w.u16() };
}

function readResponse(w: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(4);
  const remaining = w.u16(); // Available
  w.skip(4);
  const dataLength = w.u16();
  const dataOffset = w.u16();
  const high = w.remaining >= 2 ? w.u16() : 0;
  return { kind: 'read_response', remaining, data: at(ctx, dataOffset, dataLength + high * 0x10000) };
}

function writeRequest(wc: number, w: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(4);
  const fid = w.u16();
  const offset = w.u32();
  w.u32(); // Timeout
  const writeMode = w.u16();
  const remaining = w.u16();
  const high = w.u16();
  const dataLength = w.u16();
  const dataOffset = w.u16();
  void wc;
  return { kind: 'write_request', fid, offset, writeMode, remaining, data: at(ctx, dataOffset, dataLength + high * 0x10000) };
}

function writeResponse(w: ByteReader): Smb1Body {
  w.skip(4);
  const count = w.u16();
  const remaining = w.u16();
  const high = w.remaining >= 2 ? w.u16() : 0;
  return { kind: 'write_response', count: count + high * 0x10000, remaining };
}

function setupWords(w: ByteReader, n: number): number[] {
  const setup: number[] = [];
  for (let i = 0; i < n && w.remaining >= 2; i++) setup.push(w.u16());
  return setup;
}

function transRequest(sub: TransactionKind, w: ByteReader, b: ByteReader, ctx: Ctx): Smb1Body {
  const totalParams = w.u16();
  const totalData = w.u16();
  const maxParams = w.u16();
  const maxData = w.u16();
  w.skip(2 + 2 + 4 + 2); // MaxSetupCount, Reserved1, Flags, Timeout, Reserved2
  const pc = w.u16();
  const po = w.u16();
  const dc = w.u16();
  const dof = w.u16();
  const setupCount = w.u8();
  w.u8();
  const setup = setupWords(w, setupCount);
  const name = sub === 'trans' && b.remaining > 0 ? readSmbString(b, ctx.unicode, 0) : undefined;
  const body = { kind: 'transaction_request' as const, sub, totalParams, totalData, maxParams, maxData, setup, params: at(ctx, po, pc), data: at(ctx, dof, dc) };
  return name === undefined ? body : { ...body, name };
}

function transResponse(sub: TransactionKind, w: ByteReader, ctx: Ctx): Smb1Body {
  const totalParams = w.u16();
  const totalData = w.u16();
  w.u16();
  const pc = w.u16();
  const po = w.u16();
  const paramDisplacement = w.u16();
  const dc = w.u16();
  const dof = w.u16();
  const dataDisplacement = w.u16();
  const setupCount = w.u8();
  w.u8();
  const setup = setupWords(w, setupCount);
  return { kind: 'transaction_response', sub, totalParams, totalData, params: at(ctx, po, pc), paramDisplacement, data: at(ctx, dof, dc), dataDisplacement, setup };
}

function transSecondary(sub: TransactionKind, w: ByteReader, ctx: Ctx): Smb1Body {
  const totalParams = w.u16();
  const totalData = w.u16();
  const pc = w.u16();
  const po = w.u16();
  const paramDisplacement = w.u16();
  const dc = w.u16();
  const dof = w.u16();
  const dataDisplacement = w.u16();
  return { kind: 'transaction_secondary', sub, totalParams, totalData, params: at(ctx, po, pc), paramDisplacement, data: at(ctx, dof, dc), dataDisplacement };
}

function ntTransRequest(w: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(3); // MaxSetupCount, Reserved1
  const totalParams = w.u32();
  const totalData = w.u32();
  const maxParams = w.u32();
  const maxData = w.u32();
  const pc = w.u32();
  const po = w.u32();
  const dc = w.u32();
  const dof = w.u32();
  const setupCount = w.u8();
  const fn = w.u16();
  const setup = setupWords(w, setupCount);
  return { kind: 'transaction_request', sub: 'nt_transact', totalParams, totalData, maxParams, maxData, setup, function: fn, params: at(ctx, po, pc), data: at(ctx, dof, dc) };
}

function ntTransResponse(w: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(3);
  const totalParams = w.u32();
  const totalData = w.u32();
  const pc = w.u32();
  const po = w.u32();
  const paramDisplacement = w.u32();
  const dc = w.u32();
  const dof = w.u32();
  const dataDisplacement = w.u32();
  const setup = setupWords(w, w.u8());
  return { kind: 'transaction_response', sub: 'nt_transact', totalParams, totalData, params: at(ctx, po, pc), paramDisplacement, data: at(ctx, dof, dc), dataDisplacement, setup };
}

function ntTransSecondary(w: ByteReader, ctx: Ctx): Smb1Body {
  w.skip(3);
  const totalParams = w.u32();
  const totalData = w.u32();
  const pc = w.u32();
  const po = w.u32();
  const paramDisplacement = w.u32();
  const dc = w.u32();
  const dof = w.u32();
  const dataDisplacement = w.u32();
  return { kind: 'transaction_secondary', sub: 'nt_transact', totalParams, totalData, params: at(ctx, po, pc), paramDisplacement, data: at(ctx, dof, dc), dataDisplacement };
}
