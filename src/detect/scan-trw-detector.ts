// Scanner detection by Threshold Random Walk: Jung, Paxson, Berger, Balakrishnan, "Fast Portscan
// Detection Using Sequential Hypothesis Testing", IEEE S&P 2004 (sections 3-4), per source.

import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Alert } from '../model/alert.js';
import type { ConnEvent } from '../model/event.js';
import { makeAlert } from './alert-factory.js';
import { addrKey, addrText, type AddrKey } from './addr-key.js';

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
const NONE: Alert[] = Object.freeze([]) as unknown as Alert[];

/**
 * A source touched again within this long keeps its place in the LRU order: re-inserting on every
 * contact costs more than the walk itself, and expiry is minutes, so a second of slack is harmless.
 */
const LRU_SLACK_S = 1;

export type TrwDecision = 'pending' | 'scanner' | 'benign';

interface SourceState {
  logLambda: number;
  decision: TrwDecision;
  // Times in whole seconds: small integers to V8, so the per-contact bookkeeping allocates nothing
  // (a millisecond epoch is a heap double); expiry is minutes, a second of granularity is plenty.
  /** Last contact of any kind (idle expiry), epoch seconds. */
  lastS: number;
  /** When the entry last moved to the fresh end of the LRU order (at most LRU_SLACK_S behind lastS). */
  lruS: number;
  contacted: Set<AddrKey>;
  failures: number;
  successes: number;
}

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
 */
export class TrwDetector {
  readonly logEta0: number;
  readonly logEta1: number;
  private readonly logFail: number;
  private readonly logSuccess: number;
  private readonly limits: ResolvedLimits<typeof TRW_LIMITS>;
  private readonly idleS: number;
  private readonly maxDst: number;
  // Map iteration order is insertion order: re-inserting on touch makes it an LRU.
  private readonly sources = new Map<AddrKey, SourceState>();

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
  }

  /** Current decision for a source (pending when unknown). */
  decision(src: string): TrwDecision {
    return this.sources.get(addrKey(src))?.decision ?? 'pending';
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
    const st = this.touch(Math.floor(ts / 1000), src);
    if (st.contacted.has(dst)) return NONE;
    if (st.contacted.size < this.maxDst) st.contacted.add(dst);
    if (success) st.successes++;
    else st.failures++;
    st.logLambda += success ? this.logSuccess : this.logFail;
    if (st.logLambda >= this.logEta1) {
      const flagged = st.decision !== 'scanner';
      st.decision = 'scanner';
      const out = flagged ? [this.alert(ts, src, st, dport)] : NONE;
      this.restart(st);
      return out;
    }
    if (st.logLambda <= this.logEta0) {
      st.decision = 'benign';
      this.restart(st);
    }
    return NONE;
  }

  /** Forget sources idle longer than the expiry (call with event time, e.g. on bucket ticks). */
  expire(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let n = 0;
    for (const [src, st] of this.sources) {
      if (now - st.lruS <= this.idleS) break; // LRU order: the rest are fresher
      if (now - st.lastS <= this.idleS) continue; // touched within the slack
      this.sources.delete(src);
      n++;
    }
    return n;
  }

  private touch(sec: number, src: AddrKey): SourceState {
    let st = this.sources.get(src);
    if (st !== undefined) {
      if (sec - st.lastS > this.idleS) {
        this.sources.delete(src); // expired: start a fresh walk at the fresh end
        st = undefined;
      } else if (sec - st.lruS < LRU_SLACK_S) {
        st.lastS = sec;
        return st;
      } else this.sources.delete(src);
    }
    st ??= { logLambda: 0, decision: 'pending', lastS: sec, lruS: sec, contacted: new Set(), failures: 0, successes: 0 };
    st.lastS = sec;
    st.lruS = sec;
    this.sources.set(src, st);
    if (this.sources.size > this.limits.maxSources) {
      const oldest = this.sources.keys().next().value;
      if (oldest !== undefined) this.sources.delete(oldest);
    }
    return st;
  }

  private restart(st: SourceState): void {
    st.logLambda = 0;
    st.failures = 0;
    st.successes = 0;
  }

  private alert(ts: number, key: AddrKey, st: SourceState, dport: number | undefined): Alert {
    const src = addrText(key);
    return makeAlert({
      ts,
      detector: 'trw',
      rule: 'trw_scanner',
      severity: 'medium',
      title: `scanner: ${src} failed ${st.failures} of ${st.failures + st.successes} first contacts (TRW)`,
      src,
      ...(dport !== undefined ? { dport } : {}),
      dedupKey: `trw:${src}`,
      evidence: {
        likelihoodRatio: round3(Math.exp(st.logLambda)),
        eta1: round3(Math.exp(this.logEta1)),
        failures: st.failures,
        successes: st.successes,
        distinctDestinations: st.contacted.size,
      },
      indicators: [{ type: src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: src }],
    });
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
