// SMB1 encoding (MS-CIFS 2.2.3.1 header, 2.2.4 commands): a header plus an AndX chain of command
// blocks, each built knowing its absolute offset (data and string alignment count from the header).
// The responses the persona sends and the requests tests and probes send.

import { ByteWriter } from '../../core/byte-writer.js';
import { oemBytes, utf16Bytes } from './smb-strings.js';
import { ANDX_COMMANDS, SMB1_CMD, SMB1_FLAGS, SMB1_FLAGS2 } from './smb1-types.js';

export interface Smb1HeaderFields {
  readonly status?: number;
  readonly flags?: number;
  readonly flags2?: number;
  readonly pidHigh?: number;
  readonly tid?: number;
  readonly pid?: number;
  readonly uid?: number;
  readonly mid?: number;
}

/** One command block: words and bytes, given the absolute offset of its WordCount byte. */
export type Smb1Block = { readonly command: number; build(at: number): { words: Uint8Array; bytes: Uint8Array } };

/** An SMB1 message: header (its command is the first block's) and the chained blocks. */
export function encodeSmb1(h: Smb1HeaderFields, blocks: readonly Smb1Block[]): Uint8Array {
  const w = new ByteWriter(true, 256);
  w.u8(0xff).u8(0x53).u8(0x4d).u8(0x42).u8(blocks[0]?.command ?? 0).u32(h.status ?? 0).u8(h.flags ?? 0).u16(h.flags2 ?? 0)
    .u16(h.pidHigh ?? 0).zeros(8).u16(0).u16(h.tid ?? 0).u16(h.pid ?? 0).u16(h.uid ?? 0).u16(h.mid ?? 0);
  let prevWords = -1;
  for (const b of blocks) {
    const at = w.length;
    // the previous AndX block points here: AndXCommand (AndXReserved 0) and AndXOffset
    if (prevWords >= 0) w.patchU16(prevWords, b.command).patchU16(prevWords + 2, at);
    const { words, bytes } = b.build(at);
    w.u8(words.length / 2).bytes(words).u16(bytes.length).bytes(bytes);
    prevWords = ANDX_COMMANDS.has(b.command) && words.length >= 4 ? at + 1 : -1;
  }
  return w.finish();
}

const words = (fill: (w: ByteWriter) => void): Uint8Array => {
  const w = new ByteWriter(true, 64);
  fill(w);
  return w.finish();
};
/** AndXCommand, AndXReserved, AndXOffset: patched by encodeSmb1 when chained. */
const andx = (w: ByteWriter): ByteWriter => w.u8(SMB1_CMD.NO_ANDX).u8(0).u16(0);

/** Bytes area builder: Unicode strings are 2-aligned from the header (MS-CIFS 2.2.1.1). */
class Bytes {
  readonly w = new ByteWriter(true, 128);
  constructor(private readonly start: number) {}
  str(s: string, unicode: boolean): this {
    if (unicode) {
      if ((this.start + this.w.length) % 2 !== 0) this.w.u8(0);
      this.w.bytes(utf16Bytes(s, true));
    } else this.w.bytes(oemBytes(s));
    return this;
  }
  raw(b: Uint8Array): this {
    this.w.bytes(b);
    return this;
  }
  pad(to: number): this {
    while ((this.start + this.w.length) % to !== 0) this.w.u8(0);
    return this;
  }
  get pos(): number {
    return this.start + this.w.length;
  }
  finish(): Uint8Array {
    return this.w.finish();
  }
}
/** Where a block's bytes start, for `wordCount` words at `at`. */
const bytesStart = (at: number, wordCount: number): number => at + 1 + wordCount * 2 + 2;

// ---- requests ----

export const negotiateRequest = (dialects: readonly string[]): Smb1Block => ({
  command: SMB1_CMD.NEGOTIATE,
  build: () => ({ words: new Uint8Array(0), bytes: Uint8Array.from(dialects.flatMap((d) => [0x02, ...oemBytes(d)])) }),
});

export const sessionSetupRequest = (blob: Uint8Array, unicode = true, nativeOs = 'Unix', nativeLanMan = 'Vigil'): Smb1Block => ({
  command: SMB1_CMD.SESSION_SETUP_ANDX,
  build: (at) => {
    const b = new Bytes(bytesStart(at, 12)).raw(blob).str(nativeOs, unicode).str(nativeLanMan, unicode);
    return { words: words((w) => andx(w).u16(16644).u16(50).u16(0).u32(0).u16(blob.length).u32(0).u32(0x800000d4)), bytes: b.finish() };
  },
});

export const treeConnectRequest = (path: string, service = '?????', unicode = true): Smb1Block => ({
  command: SMB1_CMD.TREE_CONNECT_ANDX,
  build: (at) => {
    const b = new Bytes(bytesStart(at, 4)).raw(new Uint8Array([0])).str(path, unicode).str(service, false);
    return { words: words((w) => andx(w).u16(0).u16(1)), bytes: b.finish() };
  },
});

export const ntCreateRequest = (name: string, unicode = true): Smb1Block => ({
  command: SMB1_CMD.NT_CREATE_ANDX,
  build: (at) => {
    const nameBytes = unicode ? utf16Bytes(name, true) : oemBytes(name);
    const b = new Bytes(bytesStart(at, 24));
    if (unicode && b.pos % 2 !== 0) b.raw(new Uint8Array([0]));
    b.raw(nameBytes);
    // NameLength counts the name without its terminating NUL
    return { words: words((w) => andx(w).u8(0).u16(nameBytes.length - (unicode ? 2 : 1)).u32(0x16).u32(0).u32(0x0002019f).u64(0n).u32(0).u32(3).u32(1).u32(0).u32(2).u8(0)), bytes: b.finish() };
  },
});

export const writeAndxRequest = (fid: number, data: Uint8Array, writeMode = 0x0008, offset = 0): Smb1Block => ({
  command: SMB1_CMD.WRITE_ANDX,
  build: (at) => {
    const start = bytesStart(at, 14);
    const pad = 1; // Windows pads the data to an even offset
    return {
      words: words((w) => andx(w).u16(fid).u32(offset).u32(0).u16(writeMode).u16(data.length).u16(data.length >>> 16).u16(data.length & 0xffff).u16(start + pad).u32(0)),
      bytes: Uint8Array.from([0, ...data]),
    };
  },
});

export const readAndxRequest = (fid: number, maxCount: number, offset = 0): Smb1Block => ({
  command: SMB1_CMD.READ_ANDX,
  build: () => ({ words: words((w) => andx(w).u16(fid).u32(offset).u16(maxCount).u16(maxCount).u32(0).u16(maxCount).u32(0)), bytes: new Uint8Array(0) }),
});

export interface TransRequestInput {
  readonly sub: 'trans' | 'trans2' | 'nt_transact';
  readonly setup: readonly number[];
  readonly name?: string;
  readonly params?: Uint8Array;
  readonly data?: Uint8Array;
  /** Totals as declared (default: what this message carries). */
  readonly totalParams?: number;
  readonly totalData?: number;
  readonly maxData?: number;
  readonly function?: number;
  readonly unicode?: boolean;
}

/** A primary Transaction / Transaction2 / NT Transact request carrying (part of) its parameters and data. */
export function transRequest(t: TransRequestInput): Smb1Block {
  const cmd = t.sub === 'trans' ? SMB1_CMD.TRANSACTION : t.sub === 'trans2' ? SMB1_CMD.TRANSACTION2 : SMB1_CMD.NT_TRANSACT;
  const params = t.params ?? new Uint8Array(0);
  const data = t.data ?? new Uint8Array(0);
  return {
    command: cmd,
    build: (at) => {
      const wc = (t.sub === 'nt_transact' ? 19 : 14) + t.setup.length;
      const b = new Bytes(bytesStart(at, wc));
      if (t.sub === 'trans') b.str(t.name ?? '\\PIPE\\', t.unicode ?? true);
      b.pad(4);
      const po = b.pos;
      b.raw(params).pad(4);
      const dof = b.pos;
      b.raw(data);
      const tp = t.totalParams ?? params.length;
      const td = t.totalData ?? data.length;
      const wds = words((w) => {
        if (t.sub === 'nt_transact') {
          w.u8(0).u16(0).u32(tp).u32(td).u32(1024).u32(t.maxData ?? 65504).u32(params.length).u32(po).u32(data.length).u32(dof).u8(t.setup.length).u16(t.function ?? 0);
        } else {
          w.u16(tp).u16(td).u16(1024).u16(t.maxData ?? 4280).u8(0).u8(0).u16(0).u32(0).u16(0).u16(params.length).u16(po).u16(data.length).u16(dof).u8(t.setup.length).u8(0);
        }
        for (const s of t.setup) w.u16(s);
      });
      return { words: wds, bytes: b.finish() };
    },
  };
}

/** A Transaction / Transaction2 / NT Transact secondary carrying a later piece. */
export function transSecondary(sub: 'trans' | 'trans2' | 'nt_transact', totals: { params: number; data: number }, params: Uint8Array, paramDisp: number, data: Uint8Array, dataDisp: number): Smb1Block {
  const cmd = sub === 'trans' ? SMB1_CMD.TRANSACTION_SECONDARY : sub === 'trans2' ? SMB1_CMD.TRANSACTION2_SECONDARY : SMB1_CMD.NT_TRANSACT_SECONDARY;
  return {
    command: cmd,
    build: (at) => {
      const wc = sub === 'trans' ? 8 : sub === 'trans2' ? 9 : 18;
      const b = new Bytes(bytesStart(at, wc)).pad(4);
      const po = b.pos;
      b.raw(params).pad(4);
      const dof = b.pos;
      b.raw(data);
      const wds = words((w) => {
        if (sub === 'nt_transact') w.u8(0).u16(0).u32(totals.params).u32(totals.data).u32(params.length).u32(po).u32(paramDisp).u32(data.length).u32(dof).u32(dataDisp).u8(0);
        else {
          w.u16(totals.params).u16(totals.data).u16(params.length).u16(po).u16(paramDisp).u16(data.length).u16(dof).u16(dataDisp);
          if (sub === 'trans2') w.u16(0xffff);
        }
      });
      return { words: wds, bytes: b.finish() };
    },
  };
}

export const closeRequest = (fid: number): Smb1Block => ({ command: SMB1_CMD.CLOSE, build: () => ({ words: words((w) => w.u16(fid).u32(0)), bytes: new Uint8Array(0) }) });

// ---- responses ----

/** A response with no words and no bytes (errors, close, tree disconnect). */
export const emptyBlock = (command: number): Smb1Block => ({ command, build: () => ({ words: new Uint8Array(0), bytes: new Uint8Array(0) }) });

export interface NegotiateResponseInput {
  readonly dialectIndex: number;
  readonly securityMode: number;
  readonly maxMpxCount: number;
  readonly maxBufferSize: number;
  readonly capabilities: number;
  readonly systemTime: bigint;
  readonly timeZone: number;
  /** Extended security: server GUID and blob. */
  readonly serverGuid?: Uint8Array;
  readonly securityBlob?: Uint8Array;
  /** Otherwise: the 8-byte challenge, domain and server names. */
  readonly challenge?: Uint8Array;
  readonly domain?: string;
  readonly server?: string;
}

export function negotiateResponse(n: NegotiateResponseInput, unicode = true): Smb1Block {
  return {
    command: SMB1_CMD.NEGOTIATE,
    build: (at) => {
      const ext = n.securityBlob !== undefined;
      const b = new Bytes(bytesStart(at, 17));
      if (ext) b.raw(n.serverGuid ?? new Uint8Array(16)).raw(n.securityBlob!);
      // DomainName and ServerName: UTF-16, unaligned, right after the challenge, whatever the
      // client's flags2 (Windows in nmap-service-probes' SMBProgNeg matches: 21 bytes then
      // "((?:..)*)\0\0"); OEM only when a caller asks for it (unicode = false).
      else if (unicode) b.raw(n.challenge ?? new Uint8Array(8)).raw(utf16Bytes(n.domain ?? '', true)).raw(utf16Bytes(n.server ?? '', true));
      else b.raw(n.challenge ?? new Uint8Array(8)).str(n.domain ?? '', false).str(n.server ?? '', false);
      const wds = words((w) =>
        w.u16(n.dialectIndex).u8(n.securityMode).u16(n.maxMpxCount).u16(1).u32(n.maxBufferSize).u32(65536).u32(0).u32(n.capabilities).u64(n.systemTime).u16(n.timeZone & 0xffff).u8(ext ? 0 : 8),
      );
      return { words: wds, bytes: b.finish() };
    },
  };
}

/** "No dialect I speak" (MS-CIFS 2.2.4.52.2: DialectIndex 0xFFFF, one word). */
export const negotiateNoDialect = (): Smb1Block => ({ command: SMB1_CMD.NEGOTIATE, build: () => ({ words: words((w) => w.u16(0xffff)), bytes: new Uint8Array(0) }) });

export function sessionSetupResponse(action: number, blob: Uint8Array | undefined, nativeOs: string, nativeLanMan: string, domain: string, unicode = true): Smb1Block {
  return {
    command: SMB1_CMD.SESSION_SETUP_ANDX,
    build: (at) => {
      const wc = blob ? 4 : 3;
      const b = new Bytes(bytesStart(at, wc));
      if (blob) b.raw(blob);
      b.str(nativeOs, unicode).str(nativeLanMan, unicode).str(domain, unicode);
      return { words: words((w) => (blob ? andx(w).u16(action).u16(blob.length) : andx(w).u16(action))), bytes: b.finish() };
    },
  };
}

export const treeConnectResponse = (service: string, nativeFs: string, unicode = true): Smb1Block => ({
  command: SMB1_CMD.TREE_CONNECT_ANDX,
  build: (at) => ({ words: words((w) => andx(w).u16(0x0001)), bytes: new Bytes(bytesStart(at, 3)).str(service, false).str(nativeFs, unicode).finish() }),
});

/** NT_CREATE_ANDX response for a pipe (ResourceType 2, message-mode pipe; MS-CIFS 2.2.4.64.2). */
export const ntCreatePipeResponse = (fid: number): Smb1Block => ({
  command: SMB1_CMD.NT_CREATE_ANDX,
  build: () => ({ words: words((w) => andx(w).u8(0).u16(fid).u32(1).zeros(32).u32(0x80).u64(4096n).u64(0n).u16(2).u16(0x05ff).u8(0)), bytes: new Uint8Array(0) }),
});

export const writeAndxResponse = (count: number): Smb1Block => ({
  command: SMB1_CMD.WRITE_ANDX,
  build: () => ({ words: words((w) => andx(w).u16(count & 0xffff).u16(0xffff).u16(count >>> 16).u16(0)), bytes: new Uint8Array(0) }),
});

export const readAndxResponse = (data: Uint8Array): Smb1Block => ({
  command: SMB1_CMD.READ_ANDX,
  build: (at) => {
    const start = bytesStart(at, 12);
    return { words: words((w) => andx(w).u16(0xffff).u16(0).u16(0).u16(data.length & 0xffff).u16(start + 1).u16(data.length >>> 16).zeros(8)), bytes: Uint8Array.from([0, ...data]) };
  },
});

/** A Transaction response carrying all its parameters and data at once. */
export function transResponse(sub: 'trans' | 'trans2', params: Uint8Array, data: Uint8Array): Smb1Block {
  return {
    command: sub === 'trans' ? SMB1_CMD.TRANSACTION : SMB1_CMD.TRANSACTION2,
    build: (at) => {
      const b = new Bytes(bytesStart(at, 10)).pad(4);
      const po = b.pos;
      b.raw(params).pad(4);
      const dof = b.pos;
      b.raw(data);
      return { words: words((w) => w.u16(params.length).u16(data.length).u16(0).u16(params.length).u16(po).u16(0).u16(data.length).u16(dof).u16(0).u8(0).u8(0)), bytes: b.finish() };
    },
  };
}

export const echoResponse = (seq: number, data: Uint8Array): Smb1Block => ({ command: SMB1_CMD.ECHO, build: () => ({ words: words((w) => w.u16(seq)), bytes: data }) });

/** A logoff / tree disconnect style AndX response with only the AndX words. */
export const andxOnly = (command: number): Smb1Block => ({ command, build: () => ({ words: words((w) => andx(w)), bytes: new Uint8Array(0) }) });

/** Reply header fields for a request's header: same ids, REPLY set, Unicode and NT status flags.
 * Windows echoes the request's case-insensitive and canonicalized bits beside REPLY: nmap's
 * SMBProgNeg (flags 0x08) gets 0x88 from every Windows in nmap-service-probes, and 0x98 there
 * is the fingerprint of the Dionaea honeypot. */
export function replyHeader(req: { tid: number; pid: number; uid: number; mid: number; pidHigh: number; flags2: number; flags?: number }, status: number, uid = req.uid, tid = req.tid): Smb1HeaderFields {
  const echoed = SMB1_FLAGS.CASE_INSENSITIVE | SMB1_FLAGS.CANONICALIZED;
  return {
    status,
    flags: SMB1_FLAGS.REPLY | ((req.flags ?? echoed) & echoed),
    flags2: (req.flags2 & (SMB1_FLAGS2.UNICODE | SMB1_FLAGS2.EXTENDED_SECURITY)) | SMB1_FLAGS2.NT_STATUS | SMB1_FLAGS2.LONG_NAMES,
    pidHigh: req.pidHigh,
    tid,
    pid: req.pid,
    uid,
    mid: req.mid,
  };
}
