// Pace of a scan: connections per second (a token bucket) and connections in flight, in total and
// per host, so that a scan never floods a network or one host. Every connection attempt takes a
// slot first; the slot is given back when the socket closes.

import type { Clock } from '../core/clock.js';

export interface PaceOptions {
  /** New connections per second, all hosts together. */
  readonly rate: number;
  /** Connections open at once, all hosts together. */
  readonly maxInFlight: number;
  /** Connections open at once to one host. */
  readonly perHostInFlight: number;
  /** New connections per second to one host. */
  readonly perHostRate: number;
}

interface HostPace {
  inFlight: number;
  tokens: number;
  refilled: number;
}

interface Waiter {
  readonly host: string;
  readonly resolve: () => void;
}

/** Bucket depth: a second's worth, at most 64, so a pause does not turn into a burst. */
const burst = (rate: number): number => Math.max(1, Math.min(64, rate));

export class Pacer {
  private tokens: number;
  private refilled: number;
  private inFlight = 0;
  private readonly hosts = new Map<string, HostPace>();
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: PaceOptions, private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() }) {
    this.tokens = burst(opts.rate);
    this.refilled = clock.now();
  }

  /** Resolves when a connection to `host` may start; call the returned function when it closes. */
  acquire(host: string): Promise<() => void> {
    return new Promise((resolve) => {
      this.queue.push({ host, resolve: () => resolve(() => this.release(host)) });
      this.pump();
    });
  }

  get active(): number {
    return this.inFlight;
  }

  private host(h: string): HostPace {
    let p = this.hosts.get(h);
    if (!p) this.hosts.set(h, (p = { inFlight: 0, tokens: burst(this.opts.perHostRate), refilled: this.clock.now() }));
    return p;
  }

  private release(h: string): void {
    this.inFlight--;
    const p = this.hosts.get(h);
    if (p && --p.inFlight === 0 && p.tokens >= burst(this.opts.perHostRate) - 1) this.hosts.delete(h);
    this.pump();
  }

  private refill(now: number): void {
    this.tokens = Math.min(burst(this.opts.rate), this.tokens + ((now - this.refilled) * this.opts.rate) / 1000);
    this.refilled = now;
  }

  private pump(): void {
    const now = this.clock.now();
    this.refill(now);
    // First come first served, but a waiter whose host is busy does not hold up the others.
    for (let i = 0; i < this.queue.length && this.inFlight < this.opts.maxInFlight && this.tokens >= 1; ) {
      const w = this.queue[i];
      const p = this.host(w.host);
      p.tokens = Math.min(burst(this.opts.perHostRate), p.tokens + ((now - p.refilled) * this.opts.perHostRate) / 1000);
      p.refilled = now;
      if (p.inFlight >= this.opts.perHostInFlight || p.tokens < 1) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      p.inFlight++;
      p.tokens--;
      this.tokens--;
      this.inFlight++;
      w.resolve();
    }
    if (this.queue.length > 0 && this.inFlight < this.opts.maxInFlight && !this.timer) {
      // waiting for tokens, not for a slot: come back when the next one is due
      const due = Math.max(1, Math.ceil(1000 / Math.min(this.opts.rate, this.opts.perHostRate)));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.min(due, 50));
    }
  }
}
