// Epidemic-trend confirmer after Zou, Gao, Gong, Towsley, "Monitoring and Early Warning for
// Internet Worms", CCS 2003 (section 4): a Kalman filter estimates the growth rate alpha of
// I_t = (1 + alpha) I_{t-1} from observed infected counts; a worm shows a stable positive alpha.

export interface GrowthOptions {
  /** Smallest per-step growth rate that counts as spread. */
  readonly minGrowth?: number;
  /** Consecutive steps the estimate must stay positive and stable. */
  readonly confirmSteps?: number;
  /** Largest step-to-step change of the estimate, relative to it, still called stable. */
  readonly maxRelativeChange?: number;
  /** Count below which the filter is not updated (a handful of sources says nothing). */
  readonly minCount?: number;
  /** Process noise variance of alpha per step (lets alpha drift as the epidemic slows). */
  readonly processNoise?: number;
  /** Relative noise of an observed count beyond Poisson (sampling by the telescope, diurnal churn). */
  readonly relativeNoise?: number;
}

export interface GrowthState {
  readonly alpha: number;
  readonly variance: number;
  /** Steps in a row the estimate has been positive and stable. */
  readonly stableSteps: number;
  readonly confirmed: boolean;
  /** ln 2 / ln(1 + alpha), in steps; Infinity when not growing. */
  readonly doublingSteps: number;
}

/**
 * State: alpha (random walk with small process noise). Observation: y_t = I_t - I_{t-1} = alpha *
 * I_{t-1} + v, so H = I_{t-1}; the observation noise is taken Poisson-like, var(v) = I_{t-1} + I_t,
 * because counts of sources are. Early in an epidemic I_t grows geometrically, the estimate settles
 * on a positive alpha and stays; for background noise it wanders around zero (Zou et al. fig. 5).
 */
export class GrowthEstimator {
  private alpha = 0;
  private p = 1;
  private prev: number | undefined;
  private stable = 0;
  private readonly o: Required<GrowthOptions>;

  constructor(opts: GrowthOptions = {}) {
    this.o = { minGrowth: 0.05, confirmSteps: 6, maxRelativeChange: 0.25, minCount: 5, processNoise: 1e-4, relativeNoise: 0.05, ...opts };
  }

  update(count: number): GrowthState {
    const prev = this.prev;
    this.prev = count;
    if (prev === undefined || prev < this.o.minCount) {
      this.stable = 0;
      return this.state();
    }
    const before = this.alpha;
    const pPrior = this.p + this.o.processNoise;
    const h = prev;
    const r = prev + count + (this.o.relativeNoise * prev) ** 2 + (this.o.relativeNoise * count) ** 2;
    const gain = (pPrior * h) / (h * h * pPrior + r);
    this.alpha = before + gain * (count - prev - h * before);
    this.p = (1 - gain * h) * pPrior;
    const steady = Math.abs(this.alpha - before) <= this.o.maxRelativeChange * Math.abs(this.alpha);
    this.stable = this.alpha >= this.o.minGrowth && steady ? this.stable + 1 : 0;
    return this.state();
  }

  state(): GrowthState {
    return {
      alpha: this.alpha,
      variance: this.p,
      stableSteps: this.stable,
      confirmed: this.stable >= this.o.confirmSteps,
      doublingSteps: this.alpha > 0 ? Math.LN2 / Math.log1p(this.alpha) : Infinity,
    };
  }
}
