// One-sided CUSUM (Page 1954; Montgomery, "Introduction to Statistical Quality Control" 9.1) on
// standardised residuals: S = max(0, S + z - k), alarm when S > h.

export interface CusumParams {
  /** Allowance (reference value) in standard deviations: half the shift to detect fast. */
  readonly k: number;
  /** Decision interval in standard deviations. */
  readonly h: number;
}

/**
 * k = 1, h = 4: tuned for a 2-sigma shift. Simulated on N(0,1) with restart after each alarm
 * (test/detect/surge-detectors.test.ts seeds): in-control run length about 13,000 steps (over a year
 * of hourly buckets per key), mean delay about 4.7 steps at a 2-sigma shift and 1 step above 5 sigma.
 * The textbook k = 0.5, h = 5 alarms every ~1,000 steps on pure noise: too often for a warning that
 * pages someone, per port and per vulnerability.
 */
export const CUSUM_DEFAULTS: CusumParams = { k: 1, h: 4 };

export class Cusum {
  private s = 0;
  private readonly k: number;
  private readonly h: number;

  constructor(params: Partial<CusumParams> = {}) {
    this.k = params.k ?? CUSUM_DEFAULTS.k;
    this.h = params.h ?? CUSUM_DEFAULTS.h;
  }

  get value(): number {
    return this.s;
  }

  /** Feed one standardised residual; true on alarm (the sum then restarts from zero). */
  update(z: number): boolean {
    if (!Number.isFinite(z)) return false;
    this.s = Math.max(0, this.s + z - this.k);
    if (this.s <= this.h) return false;
    this.s = 0;
    return true;
  }

  reset(): void {
    this.s = 0;
  }
}
