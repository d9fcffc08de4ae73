// Scanner detection by Threshold Random Walk: Jung, Paxson, Berger, Balakrishnan, "Fast Portscan
// Detection Using Sequential Hypothesis Testing", IEEE S&P 2004 (sections 3-4), per source.

import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Alert } from '../model/alert.js';
import type { ConnEvent } from '../model/event.js';
import { makeAlert, NO_ALERTS as NONE } from './alert-factory.js';
import { addrKey, addrText, type AddrKey } from './addr-key.js';
import { AddrSlotTable } from './addr-slot-table.js';
import { OwnerSetTable } from './owner-set-table.js';

export interface TrwParams {
  /** P(first contact succeeds | benign source). Paper: 0.8. */
  readonly theta0: number;
  /** P(first contact succeeds | scanner). Paper: 0.2. */
  readonly theta1: number;
  /** Target false-positive probability. Paper: 0.01. */
  readonly alpha: number;
  /** Target detection probability. Paper: 0.99. */
  readonly beta: number;
}

export const TRW_PAPER_PARAMS: TrwParams = { theta0: 0.8, theta1: 0.2, alpha: 0.01, beta: 0.99 };

export const TRW_LIMITS = {
  maxSources: { default: 100_000, min: 1, max: 10_000_000, unit: 'sources', doc: 'sources with an open walk; least recently seen is evicted first (bounded state, as Zeek bounds its scan tables)' },
  maxDestinationsPerSource: { default: 1024, min: 1, max: 1_000_000, unit: 'addresses', doc: 'first-contact memory per source; past it every contact steps the walk (a scanner is decided long before: 4 failures), so memory stays bounded at maxSources x this' },
  idleExpiryMs: { default: 30 * 60_000, min: 1000, max: 7 * 86_400_000, unit: 'ms', doc: 'a source silent this long forgets its walk (the paper evaluates per trace; live needs expiry)' },
} as const;

/** Shared empty result: the hot path allocates nothing when there is nothing to say. */

/**
 * A source touched again within this long keeps its place in the LRU order: re-inserting on every
 * contact costs more than the walk itself, and expiry is minutes, so a second of slack is harmless.
 */
const LRU_SLACK_S = 1;

export type TrwDecision = 'pending' | 'scanner' | 'benign';
const DECISIONS: readonly TrwDecision[] = ['pending', 'scanner', 'benign'];
const PENDING = 0;
const SCANNER = 1;
const BENIGN = 2;

/*
 * Per-slot state as one row of doubles, so a contact touches one cache line of it rather than one
 * per field (sources are thousands and touched at random; the benign path reads LAST and LRU only).
 * Doubles hold the counts, the decision and epoch seconds exactly.
 */
const STRIDE = 8;
/** Log of the likelihood ratio of the current walk. */
const LAMBDA = 0;
/** Last contact of any kind (idle expiry), epoch seconds. */
const LAST = 1;
/** When the slot last moved to the young end of the LRU order (at most LRU_SLACK_S behind LAST). */
const LRU = 2;
const DECISION = 3;
/** Distinct destinations remembered (at most maxDestinationsPerSource). */
const CONTACTED = 4;
const FAILURES = 5;
const SUCCESSES = 6;

export interface TrwOptions {
  readonly params?: Partial<TrwParams>;
  readonly limits?: Partial<Record<keyof typeof TRW_LIMITS, number>>;
}

/**
 * One sequential hypothesis test per source. Only a source's first contact with each destination
 * counts (the paper's "first-contact" rule: repeated connections to a server a host already knows
 * say nothing new). Each failure multiplies the likelihood ratio by (1-theta1)/(1-theta0) = 4, each
 * success by theta1/theta0 = 1/4; the walk stops at eta1 = beta/alpha = 99 (scanner) or at
 * eta0 = (1-beta)/(1-alpha) ~ 0.0101 (benign). So 4 straight failures flag (4^4 = 256 >= 99 while
 * 4^3 = 64 < 99) and 4 straight successes clear (4^-4 ~ 0.0039 <= 0.0101 while 4^-3 ~ 0.0156 is not).
 * After a decision the walk restarts from 1 so a benign host that turns scanner is still caught.
 *
 * State lives in one typed-array row per source slot (addr-slot-table.ts) and the first
 * contacts in a set per slot (owner-set-table.ts): a record costs two hash probes and
 * allocates nothing, and the GC never walks per-source objects. Non-IPv4 destinations (rare) fall
 * back to a Set per source.
 */
export class TrwDetector {
  readonly logEta0: number;
  readonly logEta1: number;
  private readonly logFail: number;
  private readonly logSuccess: number;
  private readonly limits: ResolvedLimits<typeof TRW_LIMITS>;
  private readonly idleS: number;
  private readonly maxDst: number;
  /** Sources in LRU order (touched ones move to the young end). One slot more than maxSources: insert, then evict. */
  private readonly sources: AddrSlotTable;
  /** IPv4 first contacts, a set per source slot. */
  private readonly contacts = new OwnerSetTable();
  /** Non-IPv4 first contacts by source slot (sparse: IPv4-only traffic never touches it). */
  private readonly textContacts = new Map<number, Set<string>>();
  /** Per-slot rows (STRIDE doubles, fields above). Times in whole seconds (expiry is minutes, a second of granularity is plenty). */
  private rows = new Float64Array(0);

  constructor(opts: TrwOptions = {}) {
    const p = { ...TRW_PAPER_PARAMS, ...opts.params };
    if (!(p.theta1 < p.theta0) || !(p.alpha < p.beta)) throw new RangeError('TRW needs theta1 < theta0 and alpha < beta');
    this.logEta1 = Math.log(p.beta / p.alpha);
    this.logEta0 = Math.log((1 - p.beta) / (1 - p.alpha));
    this.logFail = Math.log((1 - p.theta1) / (1 - p.theta0));
    this.logSuccess = Math.log(p.theta1 / p.theta0);
    this.limits = resolveLimits(TRW_LIMITS, opts.limits, 'detect.trw');
    this.idleS = Math.ceil(this.limits.idleExpiryMs / 1000);
    this.maxDst = this.limits.maxDestinationsPerSource;
    this.sources = new AddrSlotTable(this.limits.maxSources + 1);
  }

  /** Current decision for a source (pending when unknown). */
  decision(src: string): TrwDecision {
    const s = this.sources.find(addrKey(src));
    return s < 0 ? 'pending' : DECISIONS[this.rows[s * STRIDE + DECISION]!]!;
  }

  get trackedSources(): number {
    return this.sources.size;
  }

  push(ev: ConnEvent): Alert[] {
    if (ev.outcome === 'unknown') return NONE;
    return this.observe(ev.ts, addrKey(ev.src), addrKey(ev.dst), ev.outcome === 'success', ev.dport);
  }

  /**
   * Low-level entry (the conn.log byte scanner and the bench use it to skip event objects): one
   * contact and its outcome, addresses as addrKey() gives them (IPv4 as numbers).
   */
  observe(ts: number, src: AddrKey, dst: AddrKey, success: boolean, dport?: number): Alert[] {
    const s = this.touch(Math.floor(ts / 1000), src);
    if (!this.firstContact(s, dst)) return NONE;
    const rows = this.rows;
    const r = s * STRIDE;
    if (success) rows[r + SUCCESSES]++;
    else rows[r + FAILURES]++;
    const l = (rows[r + LAMBDA] += success ? this.logSuccess : this.logFail);
    if (l >= this.logEta1) {
      const flagged = rows[r + DECISION] !== SCANNER;
      rows[r + DECISION] = SCANNER;
      const out = flagged ? [this.alert(ts, s, dport)] : NONE;
      this.restart(r);
      return out;
    }
    if (l <= this.logEta0) {
      rows[r + DECISION] = BENIGN;
      this.restart(r);
    }
    return NONE;
  }

  /** Forget sources idle longer than the expiry (call with event time, e.g. on bucket ticks). */
  expire(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let n = 0;
    for (let s = this.sources.oldest(); s >= 0; ) {
      if (now - this.rows[s * STRIDE + LRU]! <= this.idleS) break; // LRU order: the rest are fresher
      const younger = this.sources.younger(s);
      if (now - this.rows[s * STRIDE + LAST]! > this.idleS) {
        this.forget(s);
        n++;
      } // else touched within the slack: keep
      s = younger;
    }
    return n;
  }

  /** Whether dst is new for this source; remembers it while the source has room. */
  private firstContact(s: number, dst: AddrKey): boolean {
    if (typeof dst === 'number') {
      if (this.contacts.has(s, dst)) return false;
      if (this.rows[s * STRIDE + CONTACTED]! < this.maxDst) {
        this.contacts.add(s, dst);
        this.rows[s * STRIDE + CONTACTED]++;
      }
      return true;
    }
    let set = this.textContacts.get(s);
    if (set === undefined) this.textContacts.set(s, (set = new Set()));
    if (set.has(dst)) return false;
    if (this.rows[s * STRIDE + CONTACTED]! < this.maxDst) {
      set.add(dst);
      this.rows[s * STRIDE + CONTACTED]++;
    }
    return true;
  }

  private touch(sec: number, src: AddrKey): number {
    let s = this.sources.find(src);
    if (s >= 0) {
      const rows = this.rows;
      const r = s * STRIDE;
      if (sec - rows[r + LAST]! <= this.idleS) {
        rows[r + LAST] = sec;
        // Re-linking on every contact costs more than the walk; expiry is minutes, a second of slack is harmless.
        if (sec - rows[r + LRU]! >= LRU_SLACK_S) {
          this.sources.touch(s);
          rows[r + LRU] = sec;
        }
        return s;
      }
      this.forget(s); // expired: start a fresh walk at the young end
    }
    s = this.sources.insert(src);
    if ((s + 1) * STRIDE > this.rows.length) this.grow(this.sources.capacity);
    const r = s * STRIDE;
    this.rows.fill(0, r, r + STRIDE); // nothing counted, likelihood ratio 1
    this.rows[r + DECISION] = PENDING;
    this.rows[r + LAST] = sec;
    this.rows[r + LRU] = sec;
    if (this.sources.size > this.limits.maxSources) this.forget(this.sources.oldest());
    return s;
  }

  private forget(s: number): void {
    this.contacts.drop(s);
    if (this.textContacts.size !== 0) this.textContacts.delete(s);
    this.sources.remove(s);
  }

  private grow(slots: number): void {
    const rows = new Float64Array(slots * STRIDE);
    rows.set(this.rows);
    this.rows = rows;
  }

  /** A new walk from likelihood ratio 1 (row offset r), the decision kept. */
  private restart(r: number): void {
    this.rows[r + LAMBDA] = 0;
    this.rows[r + FAILURES] = 0;
    this.rows[r + SUCCESSES] = 0;
  }

  private alert(ts: number, s: number, dport: number | undefined): Alert {
    const src = addrText(this.sources.keyOf(s));
    const r = s * STRIDE;
    const failures = this.rows[r + FAILURES]!;
    const successes = this.rows[r + SUCCESSES]!;
    return makeAlert({
      ts,
      detector: 'trw',
      rule: 'trw_scanner',
      severity: 'medium',
      title: `scanner: ${src} failed ${failures} of ${failures + successes} first contacts (TRW)`,
      src,
      ...(dport !== undefined ? { dport } : {}),
      dedupKey: `trw:${src}`,
      evidence: {
        likelihoodRatio: round3(Math.exp(this.rows[r + LAMBDA]!)),
        eta1: round3(Math.exp(this.logEta1)),
        failures,
        successes,
        distinctDestinations: this.rows[r + CONTACTED]!,
      },
      indicators: [{ type: src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: src }],
    });
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
