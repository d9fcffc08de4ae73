// Pace of a scan: connections per second (token buckets) and connections in flight, in total and
// per host, so that a scan never floods a network or one host. Every connection attempt takes a
// slot first; the slot is given back when the connection ends. Waiting is first come, first served;
// a waiter whose host is at its own limit steps aside into that host's line, so it never holds up
// the others, and goes back to the front when the host frees up. Every step is O(1) per waiter.

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
  /** Waiters of this host set aside while it was at its limit. */
  readonly aside: Waiter[];
}

interface Waiter {
  readonly host: string;
  /** Connections it starts at once (the ports of one host probed together). */
  readonly n: number;
  readonly grant: () => void;
}

/** Bucket depth: 50 ms worth, so a pause does not turn into a burst, yet a fast scan is not held to
 * the timer's millisecond granularity. */
const burst = (rate: number): number => Math.max(1, rate / 20);

export class Pacer {
  private tokens: number;
  private refilled: number;
  private inFlight = 0;
  private readonly hosts = new Map<string, HostPace>();
  /** FIFO of waiters: an array with a moving head (no O(n) shift per grant). */
  private queue: Waiter[] = [];
  private head = 0;
  /** Hosts with waiters set aside only because of their own rate: looked at again on the timer. */
  private readonly rateBlocked = new Set<HostPace>();
  private timer: NodeJS.Timeout | undefined;

  /** The clock needs sub-millisecond resolution: within one Date.now() tick no token would refill. */
  constructor(private readonly opts: PaceOptions, private readonly clock: Pick<Clock, 'now'> = { now: () => performance.now() }) {
    this.tokens = burst(opts.rate);
    this.refilled = clock.now();
  }

  /** Resolves when `n` connections to `host` may start (n is capped at the per-host and total
   * limits); call the returned function when they have ended. */
  acquire(host: string, n = 1): Promise<() => void> {
    const count = Math.max(1, Math.min(n, this.opts.perHostInFlight, this.opts.maxInFlight));
    return new Promise((resolve) => {
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.release(host, count);
      };
      this.queue.push({ host, n: count, grant: () => resolve(release) });
      this.pump();
    });
  }

  /** How many connections one acquire() may take for a host at most. */
  get maxPerAcquire(): number {
    return Math.min(this.opts.perHostInFlight, this.opts.maxInFlight);
  }

  get active(): number {
    return this.inFlight;
  }

  private host(h: string, now: number): HostPace {
    let p = this.hosts.get(h);
    if (!p) this.hosts.set(h, (p = { inFlight: 0, tokens: burst(this.opts.perHostRate), refilled: now, aside: [] }));
    return p;
  }

  private release(h: string, n: number): void {
    this.inFlight -= n;
    const p = this.hosts.get(h);
    if (p) {
      p.inFlight -= n;
      // the host's first waiter set aside goes back to the front of the line
      const w = p.aside.shift();
      if (w && this.head > 0) this.queue[--this.head] = w;
      else if (w) this.queue.unshift(w);
      else if (p.inFlight === 0) this.hosts.delete(h);
    }
    this.pump();
  }

  private pump(): void {
    const now = this.clock.now();
    this.tokens = Math.min(burst(this.opts.rate), this.tokens + ((now - this.refilled) * this.opts.rate) / 1000);
    this.refilled = now;
    for (const p of this.rateBlocked) {
      // a host whose own bucket has refilled puts its set-aside waiter back in line
      p.tokens = Math.min(burst(this.opts.perHostRate), p.tokens + ((now - p.refilled) * this.opts.perHostRate) / 1000);
      p.refilled = now;
      const n = p.aside[0]?.n ?? 1;
      if (p.tokens >= Math.min(n, burst(this.opts.perHostRate)) && p.inFlight + n <= this.opts.perHostInFlight) {
        this.rateBlocked.delete(p);
        const w = p.aside.shift();
        if (w) this.queue.push(w);
      }
    }
    while (this.head < this.queue.length) {
      const w = this.queue[this.head];
      // the line waits for total slots and tokens (first come, first served)
      if (this.inFlight + w.n > this.opts.maxInFlight || this.tokens < Math.min(w.n, burst(this.opts.rate))) break;
      this.head++;
      const p = this.host(w.host, now);
      p.tokens = Math.min(burst(this.opts.perHostRate), p.tokens + ((now - p.refilled) * this.opts.perHostRate) / 1000);
      p.refilled = now;
      const hostFull = p.inFlight + w.n > this.opts.perHostInFlight;
      if (hostFull || p.tokens < Math.min(w.n, burst(this.opts.perHostRate))) {
        p.aside.push(w);
        if (!hostFull) this.rateBlocked.add(p);
        continue;
      }
      p.inFlight += w.n;
      p.tokens -= w.n;
      this.tokens -= w.n;
      this.inFlight += w.n;
      w.grant();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const waiting = this.head < this.queue.length || this.rateBlocked.size > 0;
    if (waiting && this.inFlight < this.opts.maxInFlight && !this.timer) {
      // waiting for tokens, not for a slot: come back when the next one is due
      const due = Math.ceil(1000 / Math.min(this.opts.rate, this.opts.perHostRate));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(1, Math.min(due, 50)));
    }
  }
}
