// Named, documented, configurable limits of the SMB codec and pipe tracker (smb-connection.ts).
// Defaults follow prior art: Suricata rust/src/smb (max-read/write sizes, max-tx) and Windows' own caps.

import { resolveLimits, type ResolvedLimits } from '../../core/limits.js';

export const SMB_LIMITS = {
  maxMessageBytes: {
    default: 1024 * 1024 + 1024,
    min: 64,
    max: 16 * 1024 * 1024,
    unit: 'bytes',
    doc: 'Largest NetBIOS session message (one SMB message or SMB2 compound) buffered; a bigger length is skipped unread and smb_message_too_long raised (Windows SMB2 MaxTransactSize is 1 MiB on 2008 R2; the 445 length field allows 16 MiB).',
  },
  maxTrees: {
    default: 32,
    min: 1,
    max: 65_535,
    unit: 'trees',
    doc: 'Tree connects remembered per connection; past it the oldest is forgotten and too_many_trees raised.',
  },
  maxPipes: {
    default: 32,
    min: 1,
    max: 65_535,
    unit: 'pipes',
    doc: 'Named pipes open at once per connection, each a DCE/RPC stream; past it the oldest is closed and too_many_pipes raised (Windows allows far more, but a client uses a handful).',
  },
  maxPendingRequests: {
    default: 256,
    min: 1,
    max: 65_535,
    unit: 'requests',
    doc: 'Requests awaiting their response (matched by MID / MessageId); past it the oldest is dropped and too_many_pending_requests raised (Suricata smb max-tx is 1024).',
  },
  maxCompoundCommands: {
    default: 64,
    min: 1,
    max: 4096,
    unit: 'commands',
    doc: 'SMB2 commands in one compound and SMB1 commands in one AndX chain; past it the rest is skipped and too_many_chained_commands raised.',
  },
  maxTransactionBytes: {
    default: 1024 * 1024,
    min: 0,
    max: 64 * 1024 * 1024,
    unit: 'bytes',
    doc: 'Parameter plus data bytes reassembled for one SMB1 transaction (with its secondaries); beyond it the rest is dropped and transaction_too_large raised (Windows caps a transaction at its negotiated MaxBufferSize, 64 KiB).',
  },
  maxAnomaliesPerConnection: {
    default: 256,
    min: 1,
    max: 1_000_000,
    unit: 'anomalies',
    doc: 'SMB anomalies reported per connection; past it they are counted and reported as one too_many_anomalies at the end (as the DCE/RPC connection does).',
  },
} as const;

export type SmbLimitName = keyof typeof SMB_LIMITS;
export type SmbLimits = ResolvedLimits<typeof SMB_LIMITS>;
export type SmbLimitOverrides = Partial<Record<SmbLimitName, number>>;

export function resolveSmbLimits(overrides?: SmbLimitOverrides): SmbLimits {
  return resolveLimits(SMB_LIMITS, overrides, 'smb');
}
