// One TAXII 2.1 collection (section 5): object versions in date_added order, the filters of
// section 3.4 (added_after, match[id|type|version|spec_version]) and stateless paging by date_added.
// Kept in memory and journalled to an append-only JSON-lines file so a restart keeps what was added.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StixLike {
  readonly type: string;
  readonly id: string;
  readonly [k: string]: unknown;
}

export interface TaxiiEntry {
  readonly obj: StixLike;
  readonly id: string;
  readonly type: string;
  /** The object's version: modified, else created, else date_added (TAXII 2.1 section 3.4.2.3). */
  readonly version: string;
  readonly specVersion: string;
  /** µs since the epoch; strictly increasing within a collection, so it orders and pages exactly. */
  readonly dateAddedUs: number;
  /** The principal that added it (TAXII user name), when known. */
  readonly by?: string;
}

export interface TaxiiFilter {
  /** Only entries added strictly after this (µs). */
  readonly addedAfterUs?: number;
  readonly ids?: readonly string[];
  readonly types?: readonly string[];
  /** `last` (default), `first`, `all`, or explicit version timestamps; several may be combined. */
  readonly versions?: readonly string[];
  readonly specVersions?: readonly string[];
}

export interface TaxiiPage {
  readonly items: readonly TaxiiEntry[];
  readonly more: boolean;
}

export type AddOutcome = 'added' | 'exists' | 'full';

/** RFC 3339 with microseconds, the precision TAXII servers give date_added. */
export function taxiiTime(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;
}

/** µs since the epoch of an RFC 3339 timestamp (any fraction precision), or undefined when malformed. */
export function parseTaxiiTime(s: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}Z`);
  if (!Number.isFinite(ms)) return undefined;
  return ms * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/** STIX 2.1 section 3.1: an SDO/SRO without spec_version is STIX 2.0; an SCO may omit it in 2.1. */
export function specVersionOf(obj: StixLike): string {
  if (typeof obj.spec_version === 'string') return obj.spec_version;
  return obj.created !== undefined ? '2.0' : '2.1';
}

export function versionOf(obj: StixLike, dateAddedUs: number): string {
  const v = typeof obj.modified === 'string' ? obj.modified : typeof obj.created === 'string' ? obj.created : undefined;
  return v ?? taxiiTime(dateAddedUs);
}

/** Versions compare by time, whatever their fraction precision. */
function versionKey(v: string): number {
  return parseTaxiiTime(v) ?? 0;
}

export class TaxiiCollection {
  private readonly entries: TaxiiEntry[] = [];
  private readonly byId = new Map<string, TaxiiEntry[]>();
  private lastUs = 0;

  constructor(private readonly opts: { readonly maxEntries: number; readonly journal?: string; readonly nowUs?: () => number }) {
    if (opts.journal !== undefined) this.load(opts.journal);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Adds a batch; one journal write and fsync for the batch. Same id and version twice is kept once. */
  addAll(objs: readonly StixLike[], by?: string): AddOutcome[] {
    const lines: string[] = [];
    const out = objs.map((obj) => {
      const r = this.insert(obj, this.nextUs(), by);
      if (r.entry) lines.push(JSON.stringify({ t: r.entry.dateAddedUs, o: obj, ...(by !== undefined ? { b: by } : {}) }));
      return r.outcome;
    });
    if (lines.length > 0 && this.opts.journal !== undefined) appendDurably(this.opts.journal, `${lines.join('\n')}\n`);
    return out;
  }

  /** Entries matching the filter, in date_added order, at most `limit`, after the `afterUs` cursor. */
  query(f: TaxiiFilter, limit: number, afterUs?: number): TaxiiPage {
    const from = Math.max(f.addedAfterUs ?? -1, afterUs ?? -1);
    const items: TaxiiEntry[] = [];
    const ids = f.ids ? new Set(f.ids) : undefined;
    // With ids given, walk only their versions; otherwise the whole log from the cursor on.
    const source = ids ? [...ids].flatMap((id) => this.byId.get(id) ?? []).sort((a, b) => a.dateAddedUs - b.dateAddedUs) : this.entries;
    for (let i = ids ? 0 : this.firstAfter(from); i < source.length; i++) {
      const e = source[i]!;
      if (e.dateAddedUs <= from || !this.matches(e, f)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(e);
    }
    return { items, more: false };
  }

  /** Removes the matching versions of one object (section 5.7); returns how many went. */
  remove(id: string, f: TaxiiFilter): number {
    const gone = new Set(this.query({ ...f, ids: [id] }, Number.MAX_SAFE_INTEGER).items);
    if (gone.size === 0) return 0;
    const keep = this.entries.filter((e) => !gone.has(e));
    this.entries.length = 0;
    this.entries.push(...keep);
    const left = (this.byId.get(id) ?? []).filter((e) => !gone.has(e));
    if (left.length) this.byId.set(id, left);
    else this.byId.delete(id);
    if (this.opts.journal !== undefined) appendDurably(this.opts.journal, `${[...gone].map((e) => JSON.stringify({ d: e.id, v: e.version })).join('\n')}\n`);
    return gone.size;
  }

  /** The latest version held of an object, if any. */
  latest(id: string): StixLike | undefined {
    return this.byId.get(id)?.at(-1)?.obj;
  }

  private matches(e: TaxiiEntry, f: TaxiiFilter): boolean {
    if (f.types && !f.types.includes(e.type)) return false;
    if (f.specVersions && !f.specVersions.includes(e.specVersion)) return false;
    const versions = f.versions ?? ['last'];
    if (versions.includes('all')) return true;
    const all = this.byId.get(e.id)!;
    return (versions.includes('last') && all.at(-1) === e) || (versions.includes('first') && all[0] === e)
      || versions.some((v) => v !== 'last' && v !== 'first' && versionKey(v) === versionKey(e.version));
  }

  private insert(obj: StixLike, us: number, by?: string): { outcome: AddOutcome; entry?: TaxiiEntry } {
    const versions = this.byId.get(obj.id) ?? [];
    const version = versionOf(obj, us);
    if (versions.some((e) => versionKey(e.version) === versionKey(version))) return { outcome: 'exists' };
    // An object with neither modified nor created (an SCO, a marking) is versioned by date_added, so
    // the same content posted twice would become two versions: it is one object, held once.
    if (obj.modified === undefined && obj.created === undefined && versions.length > 0) {
      const text = JSON.stringify(obj);
      if (versions.some((e) => JSON.stringify(e.obj) === text)) return { outcome: 'exists' };
    }
    if (this.entries.length >= this.opts.maxEntries) return { outcome: 'full' };
    const entry: TaxiiEntry = { obj, id: obj.id, type: obj.type, version, specVersion: specVersionOf(obj), dateAddedUs: us, ...(by !== undefined ? { by } : {}) };
    this.entries.push(entry);
    versions.push(entry);
    versions.sort((a, b) => versionKey(a.version) - versionKey(b.version));
    this.byId.set(obj.id, versions);
    this.lastUs = us;
    return { outcome: 'added', entry };
  }

  private nextUs(): number {
    const now = this.opts.nowUs?.() ?? Date.now() * 1000;
    return Math.max(now, this.lastUs + 1);
  }

  /** Index of the first entry added after `us` (binary search: the log is in date_added order). */
  private firstAfter(us: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.dateAddedUs <= us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Replays the journal; a line that does not parse (a torn last write) is skipped. */
  private load(path: string): void {
    if (!existsSync(path)) return;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        const rec = JSON.parse(line) as { t?: number; o?: StixLike; b?: string; d?: string; v?: string };
        if (rec.o && typeof rec.t === 'number') this.insert(rec.o, Math.max(rec.t, this.lastUs + 1), typeof rec.b === 'string' ? rec.b : undefined);
        else if (typeof rec.d === 'string' && typeof rec.v === 'string') this.dropVersion(rec.d, rec.v);
      } catch {
        // torn write at the end of the file
      }
    }
  }

  private dropVersion(id: string, version: string): void {
    const i = this.entries.findIndex((e) => e.id === id && e.version === version);
    if (i >= 0) this.entries.splice(i, 1);
    const left = (this.byId.get(id) ?? []).filter((e) => e.version !== version);
    if (left.length) this.byId.set(id, left);
    else this.byId.delete(id);
  }
}

function appendDurably(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
