// What the per-dialect SMB servers (smb1-server.ts, smb2-server.ts) use of their connection
// (smb-responder.ts), in its own file so that neither imports the responder.

import type { NtlmMessage } from '../../protocols/ntlm/ntlmssp.js';
import type { SmbConnection } from '../../protocols/smb/smb-connection.js';
import type { SmbPersonaFacts } from '../persona/smb-persona.js';
import type { ResponderContext } from './responder-types.js';
import type { PipeServer } from './smb-pipe-server.js';

/** What the per-dialect servers use of the connection. */
export interface SmbHost {
  readonly ctx: ResponderContext;
  readonly facts: SmbPersonaFacts;
  readonly smb: SmbConnection;
  /** The last NTLMSSP message the client sent (the session setup being answered). */
  lastNtlm: NtlmMessage | undefined;
  /** Queue one SMB message (NetBIOS-framed on send). */
  reply(msg: Uint8Array): void;
  pipe(key: string): PipeServer | undefined;
  note(line: string): void;
  /** Next id for a tree, file or session (small, sequential, as Windows hands them out). */
  nextId(): number;
  /** Give up on the connection after flushing (what Windows does to a stream it cannot parse). */
  drop(): void;
}

