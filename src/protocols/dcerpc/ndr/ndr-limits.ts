// Named limits for NDR 2.0 decoding (C706 chapter 14). A stub is attacker-controlled: every count
// it declares is bounded here before anything is allocated or looped over.

import { resolveLimits, type LimitTable, type ResolvedLimits } from '../../../core/limits.js';

export const NDR_LIMIT_SPECS = {
  maxArrayElements: {
    default: 1_048_576,
    min: 1,
    max: 16_777_216,
    unit: 'elements',
    doc: 'Largest conformant/varying array decoded; equals the 1 MiB per-call stub cap of Suricata (dcerpc.rs), so one-byte elements never hit it in a legal stub.',
  },
  maxStringChars: {
    default: 524_288,
    min: 1,
    max: 8_388_608,
    unit: 'characters',
    doc: 'Longest NDR string decoded (1 MiB of UTF-16). Exploit strings (MS03-026 server names of a few KiB) must still decode in full.',
  },
  maxPointerDepth: {
    default: 64,
    min: 1,
    max: 1024,
    unit: 'nesting levels',
    doc: 'Deepest chain of referents decoded; real DCOM activations nest fewer than 8 (MInterfacePointer in COSERVERINFO in SecurityInfoData). Guards recursion.',
  },
  maxReferents: {
    default: 65_536,
    min: 1,
    max: 16_777_216,
    unit: 'referents',
    doc: 'Most non-null pointers followed in one stub; each costs at least 4 bytes, so a 1 MiB stub holds at most 262,144.',
  },
} as const satisfies LimitTable;

export type NdrLimits = ResolvedLimits<typeof NDR_LIMIT_SPECS>;
export type NdrLimitName = keyof typeof NDR_LIMIT_SPECS;

export function resolveNdrLimits(overrides: Partial<Record<NdrLimitName, number>> = {}): NdrLimits {
  return resolveLimits(NDR_LIMIT_SPECS, overrides, 'ndr');
}

export const DEFAULT_NDR_LIMITS: NdrLimits = resolveNdrLimits();

/** Thrown inside NDR decoding when a peer-declared count passes a limit; decoders catch it and
 * record an anomaly (never escapes a public decode function). */
export class NdrLimitError extends Error {
  readonly limit: NdrLimitName;
  readonly declared: number;
  constructor(limit: NdrLimitName, declared: number, max: number) {
    super(`ndr limit ${limit} (${max}) exceeded: ${declared}`);
    this.limit = limit;
    this.declared = declared;
  }
}
Object.defineProperty(NdrLimitError.prototype, 'stack', { value: '', writable: true });
