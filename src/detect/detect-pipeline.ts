// The detector chain every input runs through (live sensor, pcap and log replay, simulation):
// scanner (TRW + thresholds), sensor reconnaissance, sequential sweeps, surge/growth (of sources and of new
// sweepers) and exploit detectors over one event stream.

import type { Clock } from '../core/clock.js';
import type { Alert } from '../model/alert.js';
import type { ConnEvent, VigilEvent } from '../model/event.js';
import { addrKey, type AddrKey } from './addr-key.js';
import { Allowlist } from './allowlist.js';
import { ExploitDetector, type ExploitOptions } from './exploit-detector.js';
import { ReconDetector, type ReconOptions } from './recon-detector.js';
import { ThresholdDetector, type ThresholdOptions } from './scan-threshold-detector.js';
import { TrwDetector, type TrwOptions } from './scan-trw-detector.js';
import { SurgeDetector, type SurgeOptions } from './surge-detector.js';
import { NO_ALERTS as NONE } from './alert-factory.js';
import type { WatchIndicator } from '../model/watch.js';
import { WatchlistDetector } from './watchlist-detector.js';
import { SweepDetector, type SweepOptions } from './sweep-detector.js';

export interface PipelineOptions {
  readonly trw?: TrwOptions | false;
  readonly threshold?: ThresholdOptions | false;
  readonly surge?: SurgeOptions | false;
  readonly exploit?: ExploitOptions | false;
  readonly recon?: ReconOptions | false;
  /** Sequential sweeps per source; each new sweeper is also counted by the surge detector. */
  readonly sweep?: SweepOptions | false;
  /** Sources no detector sees (addresses and CIDR prefixes, IPv4 and IPv6): known benign scanners. */
  readonly allowlist?: readonly string[];
  /** Partner indicators (replaced while running as partners update them). */
  readonly watchlist?: readonly WatchIndicator[];
  readonly clock?: Clock;
}

/** Expire idle scanner state at most this often (event time), so the per-event cost stays flat. */
const EXPIRE_EVERY_MS = 60_000;
/** Shared empty result, frozen as the detectors' own: an append throws instead of leaking into later results. */

/** a then b, as a new array only when both hold alerts (the detectors' lists are not ours to
 * append to). concat, not push(...b): spreading a long list into arguments overflows the stack. */
function joined(a: Alert[], b: Alert[]): Alert[] {
  if (b.length === 0) return a;
  return a.length === 0 ? b : a.concat(b);
}

export class DetectPipeline {
  readonly trw: TrwDetector | undefined;
  readonly threshold: ThresholdDetector | undefined;
  readonly surge: SurgeDetector | undefined;
  readonly exploit: ExploitDetector | undefined;
  readonly recon: ReconDetector | undefined;
  readonly sweep: SweepDetector | undefined;
  readonly allowlist: Allowlist;
  readonly watchlist = new WatchlistDetector();
  /** Events and conn records dropped because their source is allowlisted. */
  allowlisted = 0;
  private lastExpire = Number.NEGATIVE_INFINITY;
  private lastTs = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: PipelineOptions = {}) {
    this.trw = opts.trw === false ? undefined : new TrwDetector(opts.trw);
    this.threshold = opts.threshold === false ? undefined : new ThresholdDetector(opts.threshold);
    const surge = opts.surge === false ? undefined
      : { ...opts.surge, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.sweep !== false ? { sweepers: true } : {}) };
    this.surge = surge ? new SurgeDetector(surge) : undefined;
    this.exploit = opts.exploit === false ? undefined : new ExploitDetector(opts.exploit);
    this.recon = opts.recon === false ? undefined : new ReconDetector(opts.recon);
    this.sweep = opts.sweep === false ? undefined : new SweepDetector(opts.sweep);
    this.allowlist = new Allowlist(opts.allowlist ?? []);
    if (opts.watchlist) this.watchlist.replace(opts.watchlist);
  }

  /** Whether a source is allowlisted (counted); skipped entirely, so it feeds no baseline either. */
  private allowed(src: AddrKey): boolean {
    if (this.allowlist.size === 0 || !this.allowlist.has(src)) return false;
    this.allowlisted++;
    return true;
  }

  /** Run one event through every detector; alerts come back in a fixed order (deterministic). A
   * conn event takes pushConn's road: one road for conn events whether they come as objects or
   * from the conn.log scanner. */
  push(ev: VigilEvent): Alert[] {
    if (ev.type === 'conn') return this.pushConn(ev.ts, addrKey(ev.src), addrKey(ev.dst), ev.dport, ev.outcome);
    if (this.allowlist.size !== 0 && this.allowed(addrKey(ev.src))) {
      this.tick(ev.ts);
      return NONE;
    }
    let out: Alert[] = NONE;
    // (the surge detector counts conn events only: pushConn asks it)
    if (this.recon) out = joined(out, this.recon.push(ev));
    // A recognised scanner probe is reconnaissance (one recon alert per source), not an exploit-looking anomaly.
    if (this.exploit && !this.recon?.folds(ev)) out = joined(out, this.exploit.push(ev));
    if (this.watchlist.size !== 0) out = joined(out, this.watchlist.push(ev));
    this.tick(ev.ts);
    return out;
  }

  /**
   * A conn event by its fields (what push() does with a conn event, and the conn.log fast path,
   * ingest/conn-batch-reader.ts, without making the object), addresses as addrKey() gives them.
   * The exploit detector takes no conn events, so it is not asked.
   */
  pushConn(ts: number, src: AddrKey, dst: AddrKey, dport: number, outcome: ConnEvent['outcome']): Alert[] {
    // No closure or array per record: most records raise nothing, and this runs once per line.
    if (this.allowlist.size !== 0 && this.allowed(src)) {
      this.tick(ts);
      return NONE;
    }
    let out: Alert[] = NONE;
    if (this.surge) out = joined(out, this.surge.observe(ts, src, dport));
    if (this.trw && outcome !== 'unknown') out = joined(out, this.trw.observe(ts, src, dst, outcome === 'success', dport));
    if (this.threshold) out = joined(out, this.threshold.contact(ts, src, dst, dport, outcome));
    if (this.sweep && outcome === 'failure') out = this.swept(out, ts, src, dst, dport);
    if (this.recon && outcome === 'failure') out = joined(out, this.recon.contact(ts, src, dst, dport));
    if (this.watchlist.size !== 0) out = joined(out, this.watchlist.contact(ts, src, dport));
    this.tick(ts);
    return out;
  }

  /** The sweep detector's verdict on a failed contact; a new sweeper is counted by the surge detector too. */
  private swept(out: Alert[], ts: number, src: AddrKey, dst: AddrKey, dport: number): Alert[] {
    const found = this.sweep!.contact(ts, src, dst, dport);
    if (found.length === 0) return out;
    out = joined(out, found);
    return this.surge ? joined(out, this.surge.observeSweeper(ts, src, dport)) : out;
  }

  private tick(ts: number): void {
    if (ts > this.lastTs) this.lastTs = ts;
    if (this.trw && ts - this.lastExpire >= EXPIRE_EVERY_MS) {
      this.trw.expire(ts);
      this.lastExpire = ts;
    }
  }

  /**
   * Close what time has closed: at the end of a replay pass the time after the last event, on a
   * live node the injected clock's now. With no argument and no clock, closes up to the last event
   * plus one surge bucket, so a replay reports its final bucket.
   */
  flush(ts?: number): Alert[] {
    if (!this.surge) return [];
    const at = ts ?? this.opts.clock?.now() ?? this.lastTs + this.surge.bucketMs;
    return this.surge.flush(at);
  }
}
