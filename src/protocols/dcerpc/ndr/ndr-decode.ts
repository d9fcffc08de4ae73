// Run a stub decoder so that no peer bytes can make it throw (DESIGN.md: codecs are hostile-input
// safe): truncation and limit breaches become anomalies, and what was decoded before them is kept.

import { TruncatedError } from '../../../core/errors.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly } from '../anomalies.js';
import { NdrLimitError, type NdrLimits } from './ndr-limits.js';
import { NdrReader } from './ndr-reader.js';

export interface NdrDecodeResult<T> {
  /** Everything decoded, possibly partial when `complete` is false. */
  readonly value: T;
  readonly complete: boolean;
  /** Bytes of the stub left after the decoder finished (0 for a well-formed stub). */
  readonly trailing: number;
  readonly anomalies: Anomaly[];
}

/** `decode` fills `into` field by field, so a truncated stub still yields the fields before the cut. */
export function decodeNdr<T extends object>(
  stub: Uint8Array,
  littleEndian: boolean,
  into: T,
  decode: (r: NdrReader, out: T) => void,
  limits?: NdrLimits,
  what = 'stub',
): NdrDecodeResult<T> {
  const r = new NdrReader(stub, littleEndian, limits);
  let complete = true;
  try {
    decode(r, into);
  } catch (e) {
    complete = false;
    const path = (e as { ndrPath?: string }).ndrPath ?? r.fieldPath;
    const where = `${what}${path ? `.${path}` : ''}`;
    if (e instanceof TruncatedError) {
      r.anomalies.push(dcerpcAnomaly('declared_size_mismatch', `${where}: needs ${e.wanted} more byte(s) at offset ${e.offset}, stub has ${stub.length}`, { offset: e.offset }));
    } else if (e instanceof NdrLimitError) {
      r.anomalies.push(dcerpcAnomaly('protocol_violation', `${where}: ${e.message}`, { offset: r.offset }));
    } else {
      throw e;
    }
  }
  return { value: into, complete, trailing: r.remaining, anomalies: r.anomalies };
}
