// Injected time source: detectors and simulators never read the wall clock themselves, so that
// replay equals live (DESIGN.md) and tests are deterministic.

export interface Clock {
  /** Milliseconds since the Unix epoch (may be fractional). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told: for tests and for replays driven by packet timestamps. */
export class ManualClock implements Clock {
  private t: number;
  constructor(startMs = 0) {
    this.t = startMs;
  }
  now(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** RFC 3339 with microseconds, the timestamp form of our JSON output (Zeek/Suricata style). */
export function rfc3339Micro(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString(); // ...:SS.mmmZ
  const micro = Math.round((ms - whole) * 1000);
  return `${iso.slice(0, 23)}${String(micro).padStart(3, '0').slice(0, 3)}Z`;
}
