// Robust baseline with daily seasonality: median and MAD (scaled to sigma, Hampel 1974) of past
// values at the same hour of day, falling back to the recent past while a slot has little history.

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** MAD -> standard deviation for normal data. */
const MAD_TO_SIGMA = 1.4826;

export interface BaselineOptions {
  /** Days of history kept per hour-of-day slot. */
  readonly historyDays?: number;
  /** Values a slot needs before it is used alone. */
  readonly minSlotHistory?: number;
  /** Values overall before any baseline is given (warm-up). */
  readonly minHistory?: number;
  /** Floor for sigma so that a perfectly flat history does not turn noise into infinite z. */
  readonly minSigma?: number;
  readonly bucketMs: number;
}

export interface BaselineFigures {
  readonly median: number;
  readonly sigma: number;
  readonly n: number;
  readonly seasonal: boolean;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function robustFigures(xs: readonly number[], minSigma: number): { median: number; sigma: number } {
  const med = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - med)));
  return { median: med, sigma: Math.max(MAD_TO_SIGMA * mad, minSigma) };
}

/** Ring buffers of past values: one per hour-of-day slot, plus the most recent day overall. */
export class SeasonalBaseline {
  private readonly slots: number[][] = Array.from({ length: 24 }, () => []);
  private readonly recent: number[] = [];
  private readonly perSlot: number;
  private readonly recentMax: number;
  private readonly minSlot: number;
  private readonly minAll: number;
  private readonly minSigma: number;
  private readonly seasonal: boolean;

  constructor(opts: BaselineOptions) {
    const bucketsPerHour = Math.max(1, Math.floor(HOUR_MS / opts.bucketMs));
    this.seasonal = opts.bucketMs <= HOUR_MS;
    this.perSlot = (opts.historyDays ?? 14) * bucketsPerHour;
    this.recentMax = Math.max(8, Math.floor(DAY_MS / opts.bucketMs));
    this.minSlot = (opts.minSlotHistory ?? 3) * bucketsPerHour;
    this.minAll = opts.minHistory ?? 6;
    this.minSigma = opts.minSigma ?? 0.25;
  }

  static slotOf(ts: number): number {
    return Math.floor((((ts % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  }

  /** Whether the warm-up history (minHistory values) is in. */
  get ready(): boolean {
    return this.recent.length >= this.minAll;
  }

  /** Baseline for a bucket starting at ts, from history only (the value itself not yet added). */
  figures(ts: number): BaselineFigures | undefined {
    if (this.recent.length < this.minAll) return undefined;
    const slot = this.slots[SeasonalBaseline.slotOf(ts)]!;
    const useSlot = this.seasonal && slot.length >= this.minSlot;
    const xs = useSlot ? slot : this.recent;
    return { ...robustFigures(xs, this.minSigma), n: xs.length, seasonal: useSlot };
  }

  add(ts: number, x: number): void {
    push(this.slots[SeasonalBaseline.slotOf(ts)]!, x, this.perSlot);
    push(this.recent, x, this.recentMax);
  }
}

function push(buf: number[], x: number, max: number): void {
  buf.push(x);
  if (buf.length > max) buf.shift();
}
