// NDR 2.0 types as declarations (C706 14.2-14.3), in the manner of impacket's ndr.py field tables:
// each type knows its alignment, its minimum wire size, how to read and how to write itself.

import { NdrReader, Pending } from './ndr-reader.js';
import type { NdrWriter } from './ndr-writer.js';

/** T is what reading yields, W what writing takes (they differ for strings, whose decoded form
 * carries the peer's counts). */
export interface NdrType<T, W = T> {
  readonly name: string;
  /** Alignment of the first byte (C706 14.2.2). */
  readonly align: number;
  /** Fewest bytes one value can take on the wire; bounds declared counts before allocation. */
  readonly size: number;
  /** A conformant array, or a structure ending in one: its max_count leads the enclosing structure. */
  readonly conformant?: boolean;
  conformantCount?(v: W): number;
  /** May return a Pending when reading an embedded pointer; containers bind it. */
  read(r: NdrReader): T;
  write(w: NdrWriter, v: W): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNdrType = NdrType<any, any>;
export type NdrValue<X> = X extends NdrType<infer T, infer _W> ? T : never;
export type NdrInput<X> = X extends NdrType<infer _T, infer W> ? W : never;

function prim<T>(name: string, align: number, read: (r: NdrReader) => T, write: (w: NdrWriter, v: T) => void): NdrType<T> {
  return { name, align, size: align, read, write };
}

export const u8 = prim<number>('u8', 1, (r) => r.u8(), (w, v) => void w.u8(v));
export const u16 = prim<number>('u16', 2, (r) => r.u16(), (w, v) => void w.u16(v));
export const u32 = prim<number>('u32', 4, (r) => r.u32(), (w, v) => void w.u32(v));
export const i32 = prim<number>('i32', 4, (r) => r.i32(), (w, v) => void w.i32(v));
export const hyper = prim<bigint>('hyper', 8, (r) => r.u64(), (w, v) => void w.u64(v));
export const uuid: NdrType<string> = { ...prim<string>('uuid', 4, (r) => r.uuid(), (w, v) => void w.uuid(v)), size: 16 };


type StructValue<F extends Record<string, AnyNdrType>> = { -readonly [K in keyof F]: NdrValue<F[K]> };
type StructInput<F extends Record<string, AnyNdrType>> = { readonly [K in keyof F]: NdrInput<F[K]> };

/** A structure (C706 14.3.7): aligned to its most-aligned member; when its last member is
 * conformant, that member's max_count is hoisted in front of the structure. */
export function struct<F extends Record<string, AnyNdrType>>(name: string, fields: F): NdrType<StructValue<F>, StructInput<F>> {
  const entries = Object.entries(fields);
  const keys = entries.map(([k]) => k);
  const types = entries.map(([, t]) => t);
  const last = entries[entries.length - 1]?.[1];
  const conformant = last?.conformant === true;
  const align = Math.max(conformant ? 4 : 1, ...entries.map(([, t]) => t.align));
  const lastKey = entries[entries.length - 1]?.[0];
  return {
    name,
    align,
    size: entries.reduce((n, [, t]) => n + t.size, 0),
    conformant,
    conformantCount: conformant ? (v) => last.conformantCount!((v as Record<string, unknown>)[lastKey]) : undefined,
    read(r) {
      if (conformant && !r.hoisting) r.hoistConformance(r.u32());
      r.align(align);
      const out: Record<string, unknown> = {};
      r.inside(() => {
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          const v: unknown = r.fieldOf(k, types[i]);
          // an embedded pointer's referent arrives later: the slot is filled then
          if (v instanceof Pending) v.bind((x) => (out[k] = x));
          else out[k] = v;
        }
      });
      return out as StructValue<F>;
    },
    write(w, v) {
      if (conformant && !w.hoisting) w.hoistConformance(last.conformantCount!((v as Record<string, unknown>)[lastKey]));
      w.align(align);
      w.inside(() => {
        for (const [k, t] of entries) t.write(w, (v as Record<string, unknown>)[k]);
      });
    },
  };
}

export type PointerKind = 'ref' | 'unique' | 'full';

/** A pointer (C706 14.3.10-14.3.12). A top-level ref pointer has no wire form; others carry a
 * referent id (0 = null). Embedded pointers' referents are deferred to the end of the enclosing
 * top-level construct; a top-level pointer's referent follows it at once. */
export function pointer<T, W = T>(target: NdrType<T, W>, kind: PointerKind = 'unique'): NdrType<T | null, W | null> {
  return {
    name: `${kind} ${target.name}*`,
    align: 4,
    size: 4,
    read(r) {
      if (kind === 'ref' && !r.embedded) return target.read(r);
      const id = r.u32();
      if (id === 0) {
        if (kind === 'ref') r.anomaly('protocol_violation', `null ref pointer to ${target.name}`);
        return null;
      }
      if (kind === 'full') {
        const seen = r.fullPointerSeen(id);
        if (seen && seen.type !== target) {
          r.anomaly('protocol_violation', `full pointer ${id} to ${target.name} aliases a referent of another type`);
          return null;
        }
        if (seen) return (r.embedded ? seen.p : (seen.p.settled?.v ?? null)) as T;
      }
      const p = r.embedded ? r.defer(() => target.read(r)) : settled(r.referent(() => target.read(r)));
      if (kind === 'full') r.rememberFullPointer(id, p as Pending, target);
      return (r.embedded ? p : p.settled!.v) as T;
    },
    write(w, v) {
      if (kind === 'ref' && !w.embedded) return target.write(w, v as W);
      if (v === null || v === undefined) {
        w.u32(0);
        return;
      }
      w.u32(w.referentId());
      if (w.embedded) w.defer(() => target.write(w, v));
      else w.referent(() => target.write(w, v));
    },
  };
}

function settled<T>(v: T): Pending<T> {
  const p = new Pending<T>();
  p.resolve(v);
  return p;
}

function readElements<T, W>(r: NdrReader, elem: NdrType<T, W>, n: number): T[] {
  r.checkCount('maxArrayElements', n, elem.size);
  const out: T[] = new Array<T>(n);
  r.align(elem.align);
  r.inside(() => {
    for (let i = 0; i < n; i++) {
      const v: unknown = elem.read(r);
      if (v instanceof Pending) v.bind((x) => (out[i] = x as T));
      else out[i] = v as T;
    }
  });
  return out;
}
function writeElements<T, W>(w: NdrWriter, elem: NdrType<T, W>, v: readonly W[]): void {
  w.align(elem.align);
  w.inside(() => {
    for (const x of v) elem.write(w, x);
  });
}

/** Uni-dimensional conformant array (C706 14.3.3.2): max_count, then the elements. */
export function conformantArray<T, W = T>(elem: NdrType<T, W>): NdrType<T[], readonly W[]> {
  return {
    name: `${elem.name}[]`,
    align: Math.max(4, elem.align),
    size: 4,
    conformant: true,
    conformantCount: (v) => v.length,
    read: (r) => readElements(r, elem, r.conformance()),
    write(w, v) {
      w.conformance(v.length);
      writeElements(w, elem, v);
    },
  };
}

/** Fixed array (C706 14.3.3.1): no counts on the wire. */
export function fixedArray<T, W = T>(elem: NdrType<T, W>, n: number): NdrType<T[], readonly W[]> {
  return {
    name: `${elem.name}[${n}]`,
    align: elem.align,
    size: elem.size * n,
    read: (r) => readElements(r, elem, n),
    write(w, v) {
      if (v.length !== n) throw new RangeError(`${elem.name}[${n}] given ${v.length} elements`);
      writeElements(w, elem, v);
    },
  };
}

/** Check offset/actual_count against max_count (C706 14.3.3.3-4); a disagreement is what
 * overflows a server that trusts one count and copies by the other, so it is flagged, not fatal. */
function checkVarying(r: NdrReader, what: string, max: number | undefined, offset: number, actual: number): void {
  if (offset !== 0) r.anomaly('ndr_string_inconsistent', `${what}: offset ${offset} (expected 0)`);
  if (max !== undefined && offset + actual > max) {
    r.anomaly('ndr_string_inconsistent', `${what}: offset ${offset} + actual_count ${actual} > max_count ${max}`);
  }
}

/** Conformant-varying array (C706 14.3.3.4): max_count, offset, actual_count, elements. */
export function conformantVaryingArray<T, W = T>(elem: NdrType<T, W>): NdrType<T[], readonly W[]> {
  return {
    name: `${elem.name}[<>]`,
    align: Math.max(4, elem.align),
    size: 12,
    conformant: true,
    conformantCount: (v) => v.length,
    read(r) {
      const max = r.conformance();
      const offset = r.u32();
      const actual = r.u32();
      checkVarying(r, `${elem.name} array`, max, offset, actual);
      return readElements(r, elem, actual);
    },
    write(w, v) {
      w.conformance(v.length);
      w.u32(0).u32(v.length);
      writeElements(w, elem, v);
    },
  };
}

/** Varying array (C706 14.3.3.3): offset, actual_count, elements (the maximum is in the IDL). */
export function varyingArray<T, W = T>(elem: NdrType<T, W>, max?: number): NdrType<T[], readonly W[]> {
  return {
    name: `${elem.name}[~]`,
    align: Math.max(4, elem.align),
    size: 8,
    read(r) {
      const offset = r.u32();
      const actual = r.u32();
      checkVarying(r, `${elem.name} array`, max, offset, actual);
      return readElements(r, elem, actual);
    },
    write(w, v) {
      w.u32(0).u32(v.length);
      writeElements(w, elem, v);
    },
  };
}

/** Conformant byte array returned as a view (no copy); the common case for blobs (OBJREF, towers). */
export const conformantBytes: NdrType<Uint8Array> = {
  name: 'byte[]',
  align: 4,
  size: 4,
  conformant: true,
  conformantCount: (v) => v.length,
  read(r) {
    const n = r.conformance();
    r.checkCount('maxArrayElements', n, 1);
    return r.raw(n);
  },
  write(w, v) {
    w.conformance(v.length);
    w.raw(v);
  },
};

/** Context handle (C706 appendix N; MS-RPCE 2.2.4.4.1): attributes u32 + UUID, 20 bytes. */
export const contextHandle = struct('context_handle', { attributes: u32, uuid });
export type ContextHandle = NdrValue<typeof contextHandle>;
export const NULL_CONTEXT_HANDLE: ContextHandle = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };
