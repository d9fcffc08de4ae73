// Background radiation a telescope sees on the worm's port without any worm: a Poisson stream of
// scanning sources with daily seasonality (Pang et al., "Characteristics of Internet Background
// Radiation", IMC 2004, report steady, diurnally varying scanning), some of them recurring scanners,
// and a few sequential sweepers crossing a monitored /24 address by address (so a sweep detector has
// benign sweeps to tell a worm's from).

import type { ConnEvent } from '../model/event.js';
import { ipToString, isPlaceable } from './address-layout.js';
import { monitoredAddress, nextMonitored } from './monitor-spec.js';
import type { MonitorSet } from './monitor-spec.js';
import { SeededRng } from './seeded-rng.js';

export interface NoiseSpec {
  readonly port: number;
  readonly proto: 'tcp' | 'udp';
  /** Mean arrivals of background sources per second per /16 (65,536 addresses) monitored. */
  readonly sourcesPerSecondPerSlash16: number;
  /** Mean probes each arriving source sends into the monitor (at least one). */
  readonly probesPerSource: number;
  /** Daily cycle: rate x (1 + amplitude cos(2 pi (hour - peakHourUtc) / 24)). */
  readonly dailyAmplitude: number;
  readonly peakHourUtc: number;
  /** Share of arrivals drawn from a fixed pool of recurring scanners, and the pool's size. */
  readonly recurringFraction: number;
  readonly recurringPool: number;
  /** Mean arrivals of sequential sweepers per second per /16 monitored (same daily cycle). */
  readonly sweepersPerSecondPerSlash16: number;
  /** Addresses a sweeper walks upward from the /24 boundary below a random monitored address (cut at the block end). */
  readonly sweepSpan: number;
  /** Addresses per second a sweeper walks. */
  readonly sweepRate: number;
}

/**
 * Assumed defaults, not measurements of any particular telescope: about 430 sources per /16 per day
 * on the port (a 2^20-address monitor sees about 6,900 a day), three probes each, +/-30% daily swing;
 * and about 1.7 sequential sweepers per /16 per day (about 28 a day on 2^20 addresses), each walking
 * one /24 at 100 addresses per second.
 */
export function defaultNoise(port: number, proto: 'tcp' | 'udp'): NoiseSpec {
  return {
    port, proto, sourcesPerSecondPerSlash16: 0.005, probesPerSource: 3, dailyAmplitude: 0.3, peakHourUtc: 15,
    recurringFraction: 0.3, recurringPool: 2000, sweepersPerSecondPerSlash16: 0.00002, sweepSpan: 256, sweepRate: 100,
  };
}

/** Seconds between successive probes of one background source. */
const PROBE_GAP_S = 0.5;

export class BackgroundNoise {
  private readonly spec: NoiseSpec;
  private readonly monitor: MonitorSet;
  private readonly rng: SeededRng;
  /** Sweepers draw from their own generator, so the random scanners' stream is the same with or without them. */
  private readonly sweepRng: SeededRng;
  private readonly pool: Uint32Array;
  private readonly epochMs: number;

  /** epochMs: wall-clock time of t = 0 (seasonality follows the UTC hour of epochMs + t). */
  constructor(spec: NoiseSpec, monitor: MonitorSet, seed: number, epochMs: number) {
    this.spec = spec;
    this.monitor = monitor;
    this.rng = new SeededRng(seed ^ 0xb6c0);
    this.sweepRng = new SeededRng(seed ^ 0x5e3e9);
    this.epochMs = epochMs;
    this.pool = Uint32Array.from({ length: Math.max(1, spec.recurringPool) }, () => this.randomSource());
  }

  private randomSource(rng = this.rng): number {
    for (;;) {
      const x = rng.u32();
      if (isPlaceable(x)) return x;
    }
  }

  /** Arrival rate of sources (per second) at time t. */
  rateAt(t: number): number {
    return this.spec.sourcesPerSecondPerSlash16 * (this.monitor.total / 65536) * this.season(t);
  }

  private season(t: number): number {
    const s = this.spec;
    const hour = (((this.epochMs / 1000 + t) / 3600) % 24 + 24) % 24;
    return 1 + s.dailyAmplitude * Math.cos((2 * Math.PI * (hour - s.peakHourUtc)) / 24);
  }

  /** Emits the background probes of sources arriving in [t, t+dt); a burst is cut at the step end. */
  eventsIn(t: number, dt: number, emit: (ev: ConnEvent) => void): void {
    const { rng, spec } = this;
    const arrivals = rng.poisson(this.rateAt(t + dt / 2) * dt);
    for (let i = 0; i < arrivals; i++) {
      const src = rng.next() < spec.recurringFraction ? this.pool[rng.int(this.pool.length)] : this.randomSource();
      const at = t + rng.next() * dt;
      const probes = 1 + rng.poisson(Math.max(0, spec.probesPerSource - 1));
      for (let k = 0; k < probes && at + k * PROBE_GAP_S < t + dt; k++) {
        const dst = monitoredAddress(this.monitor, rng.int(this.monitor.total));
        emit(this.event(src, dst, at + k * PROBE_GAP_S));
      }
    }
    this.sweepsIn(t, dt, emit);
  }

  /** Sequential sweepers arriving in [t, t+dt): each walks its span of monitored addresses in order. */
  private sweepsIn(t: number, dt: number, emit: (ev: ConnEvent) => void): void {
    const { sweepRng: rng, spec, monitor } = this;
    if (!(spec.sweepersPerSecondPerSlash16 > 0)) return;
    const arrivals = rng.poisson(spec.sweepersPerSecondPerSlash16 * (monitor.total / 65536) * this.season(t + dt / 2) * dt);
    for (let i = 0; i < arrivals; i++) {
      const src = this.randomSource(rng);
      const at = t + rng.next() * dt;
      const first = nextMonitored(monitor, Math.floor(monitoredAddress(monitor, rng.int(monitor.total)) / 256) * 256);
      for (let k = 0; k < spec.sweepSpan; k++) {
        const when = at + k / spec.sweepRate;
        if (when >= t + dt || nextMonitored(monitor, first + k) !== first + k) break;
        emit(this.event(src, first + k, when));
      }
    }
  }

  private event(src: number, dst: number, t: number): ConnEvent {
    return {
      type: 'conn', source: 'sim', ts: this.epochMs + t * 1000,
      src: ipToString(src), dst: ipToString(dst), proto: this.spec.proto, dport: this.spec.port, outcome: 'failure',
    };
  }
}
