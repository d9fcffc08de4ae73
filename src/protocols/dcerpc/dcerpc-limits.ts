// Named, documented, configurable limits of the DCE/RPC framer and connection tracker.
// Every default comes from prior art (Suricata rust/src/dcerpc, Zeek init-bare.zeek, ws receiver).

import { resolveLimits, type LimitTable, type ResolvedLimits } from '../../core/limits.js';

export const DCERPC_LIMITS = {
  maxFragLength: {
    default: 65535,
    min: 16,
    max: 65535,
    unit: 'bytes',
    doc: 'Largest frag_length the framer accepts and buffers; bigger claims are skipped as garbage (frag_length_exceeds_limit). 65535 is the u16 maximum; Windows negotiates 5840.',
  },
  maxStubBytesPerCall: {
    default: 1024 * 1024,
    min: 0,
    max: 64 * 1024 * 1024,
    unit: 'bytes',
    doc: 'Reassembled request stub kept per call; beyond it the stub is truncated and too_much_fragment_data raised (Suricata caps a call at 1 MiB; Zeek dce_rpc max_frag_data is a stricter 30,000).',
  },
  maxStubBytesPerConnection: {
    default: 4 * 1024 * 1024,
    min: 0,
    max: 1024 * 1024 * 1024,
    unit: 'bytes',
    doc: 'Request stub bytes held at once by all unfinished reassemblies of a connection; beyond it stubs are truncated and too_much_fragment_data raised (Zeek bounds the same product at 20 x 30,000 bytes; 4 MiB lets one 1 MiB call through beside a few others).',
  },
  maxFragmentsPerCall: {
    default: 4096,
    min: 1,
    max: 1_000_000,
    unit: 'fragments',
    doc: 'Fragments counted into one call; beyond it further fragments are dropped and too_much_fragment_data raised (a cap on chunk count, like ws maxBufferedChunks).',
  },
  maxOpenCalls: {
    default: 1024,
    min: 1,
    max: 1_000_000,
    unit: 'calls',
    doc: 'Calls per connection awaiting a response; beyond it the oldest is flushed and too_many_open_calls raised (Suricata dcerpc max-tx 1024).',
  },
  maxConcurrentReassemblies: {
    default: 20,
    min: 1,
    max: 100_000,
    unit: 'calls',
    doc: 'Requests with a first fragment but no last fragment yet; a new one beyond it is not reassembled and too_many_open_calls raised (Zeek DCE_RPC::max_cmd_reassembly 20).',
  },
  maxAnomaliesPerCall: {
    default: 32,
    min: 1,
    max: 65_536,
    unit: 'anomalies',
    doc: 'Anomalies kept on one call; past it they are counted and the call gets one too_many_anomalies with the count (fragments that alternate opnum or context would otherwise add one per fragment, a million for one connection).',
  },
  maxAnomaliesPerConnection: {
    default: 256,
    min: 1,
    max: 1_000_000,
    unit: 'anomalies',
    doc: 'Anomalies a connection reports; past it they are counted and one too_many_anomalies with the count is reported when the connection closes (Zeek rate-limits weirds per connection the same way).',
  },
  maxContexts: {
    default: 256,
    min: 1,
    max: 65536,
    unit: 'contexts',
    doc: 'Presentation contexts remembered per connection; beyond it new ones are ignored and too_many_contexts raised (a u8 n_context_elem allows 255 per bind; Windows accepts far fewer).',
  },
  maxAuthContexts: {
    default: 16,
    min: 1,
    max: 65536,
    unit: 'contexts',
    doc: 'Security contexts (distinct auth_context_id values, MS-RPCE 3.3.1.5.2.1) a responder negotiates per connection; a bind or alter_context for one more is acknowledged without a verifier, so the peer cannot make it hold unbounded authentication state (Windows clients use one or two).',
  },
} as const satisfies LimitTable;

export type DcerpcLimits = ResolvedLimits<typeof DCERPC_LIMITS>;
export type DcerpcLimitOverrides = Partial<Record<keyof typeof DCERPC_LIMITS, number>>;

/** The defaults, resolved once and frozen: a capture opens thousands of connections and almost
 * none of them override anything. */
let defaults: DcerpcLimits | undefined;

export function resolveDcerpcLimits(overrides?: DcerpcLimitOverrides): DcerpcLimits {
  if (overrides === undefined || !hasOwnKeys(overrides)) return (defaults ??= Object.freeze(resolveLimits(DCERPC_LIMITS, {}, 'dcerpc')));
  return resolveLimits(DCERPC_LIMITS, overrides, 'dcerpc');
}

/** Object.keys(o).length > 0 without the array (asked once per connection). */
function hasOwnKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}
