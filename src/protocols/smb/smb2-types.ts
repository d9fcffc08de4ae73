// SMB2/3 message shapes (MS-SMB2 2.2): the 64-byte header, one decoded body per command, and the
// command, flag, status and FSCTL constants the codec and the persona use.

export const SMB2_CMD = {
  NEGOTIATE: 0, SESSION_SETUP: 1, LOGOFF: 2, TREE_CONNECT: 3, TREE_DISCONNECT: 4, CREATE: 5, CLOSE: 6, FLUSH: 7,
  READ: 8, WRITE: 9, LOCK: 10, IOCTL: 11, CANCEL: 12, ECHO: 13, QUERY_DIRECTORY: 14, CHANGE_NOTIFY: 15, QUERY_INFO: 16, SET_INFO: 17, OPLOCK_BREAK: 18,
} as const;

export const SMB2_FLAGS = { SERVER_TO_REDIR: 0x1, ASYNC: 0x2, RELATED: 0x4, SIGNED: 0x8 } as const;
export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
export const FSCTL_PIPE_WAIT = 0x00110018;
export const FSCTL_VALIDATE_NEGOTIATE_INFO = 0x00140204;

export const NT_STATUS = {
  SUCCESS: 0x00000000,
  PENDING: 0x00000103,
  BUFFER_OVERFLOW: 0x80000005,
  NO_MORE_FILES: 0x80000006,
  NOT_IMPLEMENTED: 0xc0000002,
  INVALID_PARAMETER: 0xc000000d,
  MORE_PROCESSING_REQUIRED: 0xc0000016,
  ACCESS_DENIED: 0xc0000022,
  OBJECT_NAME_NOT_FOUND: 0xc0000034,
  LOGON_FAILURE: 0xc000006d,
  NOT_SUPPORTED: 0xc00000bb,
  BAD_NETWORK_NAME: 0xc00000cc,
  PIPE_DISCONNECTED: 0xc00000b0,
  PIPE_EMPTY: 0xc00000d9,
  FILE_CLOSED: 0xc0000128,
  INVALID_HANDLE: 0xc0000008,
  INSUFF_SERVER_RESOURCES: 0xc0000205,
  USER_SESSION_DELETED: 0xc0000203,
  NETWORK_NAME_DELETED: 0xc00000c9,
  NOT_FOUND: 0xc0000225,
  FS_DRIVER_REQUIRED: 0xc000019c,
} as const;

export interface Smb2Header {
  readonly creditCharge: number;
  readonly status: number;
  readonly command: number;
  readonly credits: number;
  readonly flags: number;
  readonly nextCommand: number;
  readonly messageId: bigint;
  /** Sync header: TreeId; async header: none (asyncId set instead). */
  readonly treeId: number;
  readonly asyncId?: bigint;
  readonly sessionId: bigint;
  readonly signature: Uint8Array;
}

/** SMB2 FileId (persistent + volatile), as 32 hex digits: the pipe's key. */
export type FileIdHex = string;

export interface NegotiateContext {
  readonly type: number;
  readonly data: Uint8Array;
}

export type Smb2Body =
  | { readonly kind: 'negotiate_request'; readonly dialects: readonly number[]; readonly securityMode: number; readonly capabilities: number; readonly clientGuid: Uint8Array; readonly contexts: readonly NegotiateContext[] }
  | {
      readonly kind: 'negotiate_response';
      readonly securityMode: number;
      readonly dialect: number;
      readonly serverGuid: Uint8Array;
      readonly capabilities: number;
      readonly maxTransactSize: number;
      readonly maxReadSize: number;
      readonly maxWriteSize: number;
      readonly systemTime: bigint;
      readonly securityBlob: Uint8Array;
      readonly contexts: readonly NegotiateContext[];
    }
  | { readonly kind: 'session_setup_request'; readonly flags: number; readonly securityMode: number; readonly capabilities: number; readonly previousSessionId: bigint; readonly securityBlob: Uint8Array }
  | { readonly kind: 'session_setup_response'; readonly sessionFlags: number; readonly securityBlob: Uint8Array }
  | { readonly kind: 'tree_connect_request'; readonly path: string }
  | { readonly kind: 'tree_connect_response'; readonly shareType: number; readonly shareFlags: number; readonly capabilities: number; readonly maximalAccess: number }
  | { readonly kind: 'create_request'; readonly name: string; readonly desiredAccess: number; readonly createDisposition: number; readonly createOptions: number; readonly impersonationLevel: number }
  | { readonly kind: 'create_response'; readonly fileId: FileIdHex; readonly createAction: number; readonly fileAttributes: number }
  | { readonly kind: 'close_request'; readonly fileId: FileIdHex }
  | { readonly kind: 'read_request'; readonly fileId: FileIdHex; readonly length: number; readonly offset: bigint }
  | { readonly kind: 'read_response'; readonly data: Uint8Array; readonly remaining: number }
  | { readonly kind: 'write_request'; readonly fileId: FileIdHex; readonly offset: bigint; readonly data: Uint8Array }
  | { readonly kind: 'write_response'; readonly count: number }
  | { readonly kind: 'ioctl_request'; readonly ctlCode: number; readonly fileId: FileIdHex; readonly input: Uint8Array; readonly maxOutput: number; readonly flags: number }
  | { readonly kind: 'ioctl_response'; readonly ctlCode: number; readonly fileId: FileIdHex; readonly output: Uint8Array }
  | { readonly kind: 'error_response'; readonly data: Uint8Array }
  | { readonly kind: 'empty' }
  | { readonly kind: 'other' };

export interface Smb2Command {
  readonly header: Smb2Header;
  readonly isReply: boolean;
  readonly body: Smb2Body;
}

/** One SMB2 message as framed: its commands (several when compounded). */
export interface Smb2Message {
  readonly dialect: 2;
  readonly commands: readonly Smb2Command[];
}

/** A message that is encrypted (transform header, 0xFD) or compressed (0xFC): flagged, not decoded. */
export interface Smb2Opaque {
  readonly dialect: 'encrypted' | 'compressed';
  readonly sessionId?: bigint;
  readonly length: number;
}
