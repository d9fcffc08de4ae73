// SMB1 / CIFS message shapes (MS-CIFS 2.2.3.1 header, 2.2.4 commands; MS-SMB 2.2.4 extensions):
// the header, one decoded body per command of an AndX chain, and the command and flag constants.

export const SMB1_CMD = {
  CLOSE: 0x04,
  TRANSACTION: 0x25,
  TRANSACTION_SECONDARY: 0x26,
  ECHO: 0x2b,
  READ_ANDX: 0x2e,
  WRITE_ANDX: 0x2f,
  TRANSACTION2: 0x32,
  TRANSACTION2_SECONDARY: 0x33,
  TREE_DISCONNECT: 0x71,
  NEGOTIATE: 0x72,
  SESSION_SETUP_ANDX: 0x73,
  LOGOFF_ANDX: 0x74,
  TREE_CONNECT_ANDX: 0x75,
  NT_TRANSACT: 0xa0,
  NT_TRANSACT_SECONDARY: 0xa1,
  NT_CREATE_ANDX: 0xa2,
  NO_ANDX: 0xff,
} as const;

/** Commands whose first four words are AndXCommand, AndXReserved, AndXOffset (MS-CIFS 2.2.3.4). */
export const ANDX_COMMANDS: ReadonlySet<number> = new Set([SMB1_CMD.READ_ANDX, SMB1_CMD.WRITE_ANDX, SMB1_CMD.SESSION_SETUP_ANDX, SMB1_CMD.LOGOFF_ANDX, SMB1_CMD.TREE_CONNECT_ANDX, SMB1_CMD.NT_CREATE_ANDX]);

export const SMB1_FLAGS = { REPLY: 0x80, CASE_INSENSITIVE: 0x08, CANONICALIZED: 0x10 } as const;
export const SMB1_FLAGS2 = { LONG_NAMES: 0x0001, EAS: 0x0002, SIGNATURES: 0x0004, EXTENDED_SECURITY: 0x0800, NT_STATUS: 0x4000, UNICODE: 0x8000 } as const;
export const SMB1_CAPS = { UNICODE: 0x04, LARGE_FILES: 0x08, NT_SMBS: 0x10, RPC_REMOTE_APIS: 0x20, STATUS32: 0x40, LEVEL_II_OPLOCKS: 0x80, NT_FIND: 0x200, LARGE_READX: 0x4000, LARGE_WRITEX: 0x8000, EXTENDED_SECURITY: 0x80000000 } as const;

/** Transaction setup[0] for the named-pipe function TransactNmPipe (MS-CIFS 2.2.5.6). */
export const TRANS_TRANSACT_NMPIPE = 0x0026;
/** Transaction2 subcommand SESSION_SETUP (0x0e): reserved, unused by Windows; DoublePulsar's probe. */
export const TRANS2_SESSION_SETUP = 0x000e;
/** WriteAndX WriteMode bit: the data starts a message on a message-mode pipe (2-byte length prefix). */
export const WRITE_MODE_MESSAGE_START = 0x0008;

export interface Smb1Header {
  readonly command: number;
  readonly status: number;
  readonly flags: number;
  readonly flags2: number;
  readonly pidHigh: number;
  readonly signature: Uint8Array;
  readonly tid: number;
  readonly pid: number;
  readonly uid: number;
  readonly mid: number;
}

export type TransactionKind = 'trans' | 'trans2' | 'nt_transact';

export type Smb1Body =
  | { readonly kind: 'negotiate_request'; readonly dialects: readonly string[] }
  | {
      readonly kind: 'negotiate_response';
      readonly dialectIndex: number;
      readonly securityMode: number;
      readonly maxMpxCount: number;
      readonly maxBufferSize: number;
      readonly capabilities: number;
      readonly systemTime: bigint;
      readonly timeZone: number;
      readonly challenge?: Uint8Array;
      readonly domain?: string;
      readonly server?: string;
      readonly serverGuid?: Uint8Array;
      readonly securityBlob?: Uint8Array;
    }
  | {
      readonly kind: 'session_setup_request';
      readonly maxBufferSize: number;
      readonly capabilities: number;
      readonly securityBlob?: Uint8Array;
      readonly account?: string;
      readonly domain?: string;
      readonly passwordLengths?: readonly [number, number];
      readonly nativeOs: string;
      readonly nativeLanMan: string;
    }
  | { readonly kind: 'session_setup_response'; readonly action: number; readonly securityBlob?: Uint8Array; readonly nativeOs: string; readonly nativeLanMan: string; readonly domain: string }
  | { readonly kind: 'tree_connect_request'; readonly flags: number; readonly path: string; readonly service: string }
  | { readonly kind: 'tree_connect_response'; readonly optionalSupport: number; readonly service: string; readonly nativeFileSystem: string }
  | { readonly kind: 'nt_create_request'; readonly name: string; readonly desiredAccess: number; readonly createDisposition: number; readonly createOptions: number; readonly shareAccess: number }
  | { readonly kind: 'nt_create_response'; readonly fid: number; readonly oplockLevel: number; readonly createAction: number; readonly resourceType: number; readonly pipeState: number }
  | { readonly kind: 'read_request'; readonly fid: number; readonly offset: number; readonly maxCount: number }
  | { readonly kind: 'read_response'; readonly remaining: number; readonly data: Uint8Array }
  | { readonly kind: 'write_request'; readonly fid: number; readonly offset: number; readonly writeMode: number; readonly remaining: number; readonly data: Uint8Array }
  | { readonly kind: 'write_response'; readonly count: number; readonly remaining: number }
  | {
      readonly kind: 'transaction_request';
      readonly sub: TransactionKind;
      readonly name?: string;
      readonly totalParams: number;
      readonly totalData: number;
      readonly maxParams: number;
      readonly maxData: number;
      readonly setup: readonly number[];
      /** NT transact Function. */
      readonly function?: number;
      readonly params: Uint8Array;
      readonly data: Uint8Array;
    }
  | {
      readonly kind: 'transaction_secondary';
      readonly sub: TransactionKind;
      readonly totalParams: number;
      readonly totalData: number;
      readonly params: Uint8Array;
      readonly paramDisplacement: number;
      readonly data: Uint8Array;
      readonly dataDisplacement: number;
    }
  | {
      readonly kind: 'transaction_response';
      readonly sub: TransactionKind;
      readonly totalParams: number;
      readonly totalData: number;
      readonly params: Uint8Array;
      readonly paramDisplacement: number;
      readonly data: Uint8Array;
      readonly dataDisplacement: number;
      readonly setup: readonly number[];
    }
  | { readonly kind: 'close_request'; readonly fid: number }
  | { readonly kind: 'echo'; readonly count: number; readonly data: Uint8Array }
  | { readonly kind: 'empty' }
  | { readonly kind: 'other' };

/** One command of a message (the first, or one reached through an AndX offset). */
export interface Smb1Command {
  readonly command: number;
  readonly wordCount: number;
  readonly body: Smb1Body;
}

export interface Smb1Message {
  readonly dialect: 1;
  readonly header: Smb1Header;
  readonly isReply: boolean;
  readonly commands: readonly Smb1Command[];
}
