// Per-source byte budget for the sensor's CPU: a token bucket per peer address, refilled at
// maxBytesPerSecondPerSource with one second of burst. A source over its budget has its sockets
// paused until the bucket refills, so TCP pushes back on it and the event loop stays free for
// everyone else (one flooding source sending 20 MB/s of binds otherwise saturates the core that
// answers every other peer). Written by hand: a few lines, and no rate-limit library pauses sockets.

interface Bucket {
  tokens: number;
  last: number;
}

export class SourceThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly bytesPerSecond: number) {}

  /** Charge `n` bytes to `src`; returns how long (ms) its sockets should pause, 0 for not at all. */
  take(src: string, n: number, now: number): number {
    if (this.bytesPerSecond <= 0) return 0;
    let b = this.buckets.get(src);
    if (!b) this.buckets.set(src, (b = { tokens: this.bytesPerSecond, last: now }));
    b.tokens = Math.min(this.bytesPerSecond, b.tokens + ((now - b.last) * this.bytesPerSecond) / 1000);
    b.last = now;
    b.tokens -= n;
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens * 1000) / this.bytesPerSecond);
  }

  /** The source has no connection left: forget its bucket (a returning peer starts full). */
  forget(src: string): void {
    this.buckets.delete(src);
  }
}
