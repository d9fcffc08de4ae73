// Hand-written decoder for the common shape of an ept_map request stub (C706 appendix O: [in, ptr]
// uuid_p_t object, [in, ptr] twr_p_t map_tower, [in, out] context handle, [in] max_towers).
// It is most of the stubs decoded on a capture (85% on the bench file), and the generic NDR
// declaration decoder costs ~25 us per call in a cold process (closures, path bookkeeping, deferral
// frames); reading fixed offsets costs a few microseconds. It only accepts a stub whose whole
// decode is plain: anything else (a truncation, a limit, a repeated full pointer id, a tower whose
// length fields disagree) returns undefined so the generic decoder handles it and records the
// same anomalies as before. test/protocols/dcerpc/interfaces/epm-map-fast.test.ts checks it
// against the generic decoder on valid, truncated, mutated and corpus stubs, both byte orders.

import { u32At, uuidAt } from '../../../core/byte-reader.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { DEFAULT_NDR_LIMITS, type ContextHandle, type NdrDecodeResult, type NdrLimits } from '../ndr/index.js';
import { decodeTower, type Tower } from './epm-towers.js';

/** epm-codec's EptMapRequest, spelled out here: epm-codec calls this module, so no import back. */
interface EptMapRequestFields {
  object: string | null;
  tower: Tower | null;
  entryHandle: ContextHandle;
  maxTowers: number;
}

/** The ept_map request decoded as decodeEptMapRequest does, or undefined when the stub is not the
 * plain case (the caller then runs the generic decoder). NDR 2.0 only: the caller never passes NDR64. */
export function decodeEptMapRequestFast(stub: Uint8Array, le: boolean, limits: NdrLimits = DEFAULT_NDR_LIMITS): NdrDecodeResult<EptMapRequestFields> | undefined {
  const len = stub.length;
  // Every field below starts 4-aligned from the stub start, so no padding is ever read: offsets
  // are fixed once the two pointer ids are known.
  if (len < 8) return undefined;
  const objectId = u32At(stub, 0, le);
  let at = 4;
  let object: string | null = null;
  let referents = 0;
  if (objectId !== 0) {
    if (len < 24) return undefined;
    object = uuidAt(stub, 4, le);
    at = 20;
    referents++;
  }
  const towerId = u32At(stub, at, le);
  at += 4;
  let towerBytes: Uint8Array | undefined;
  if (towerId !== 0) {
    // the same full pointer id again would alias the object's referent: left to the generic decoder
    if (towerId === objectId) return undefined;
    if (at + 8 > len) return undefined;
    const maxCount = u32At(stub, at, le);
    const towerLength = u32At(stub, at + 4, le);
    // declared_size_mismatch and the array limit are anomalies of the generic decoder's own
    if (towerLength !== maxCount || maxCount > limits.maxArrayElements || maxCount > len - at - 8) return undefined;
    towerBytes = stub.subarray(at + 8, at + 8 + maxCount);
    at = (at + 8 + maxCount + 3) & ~3; // context handle is 4-aligned
    referents++;
  }
  if (referents > limits.maxReferents) return undefined;
  // context handle (attributes, uuid) then max_towers; the padding before them counts as bytes read
  if (at + 24 > len) return undefined;
  const entryHandle = { attributes: u32At(stub, at, le), uuid: uuidAt(stub, at + 4, le) };
  const maxTowers = u32At(stub, at + 20, le);
  const anomalies: Anomaly[] = [];
  const tower: Tower | null = towerBytes === undefined ? null : decodeTower(towerBytes, anomalies);
  return { value: { object, tower, entryHandle, maxTowers }, complete: true, trailing: len - at - 24, anomalies };
}
