// Deterministic worm-propagation models: random-constant-spread (logistic) closed form (Staniford,
// Paxson, Weaver 2002), SIR (Kermack-McKendrick), the two-factor model (Zou, Gong, Towsley, CCS 2002)
// and the discrete-time AAWP model (Chen, Gao, Kwiat, INFOCOM 2003). ODEs use classic RK4.

/** IPv4 address space scanned by a uniform random scanner. */
export const IPV4_SPACE = 2 ** 32;

/** Pairwise contact rate K (per second) of a uniform scanner: scans/s x vulnerable / space. */
export function logisticRate(scanRate: number, vulnerable: number, space = IPV4_SPACE): number {
  return (scanRate * vulnerable) / space;
}

/** Random constant spread closed form: I(t) = N / (1 + (N/I0 - 1) e^{-Kt}). */
export function logisticInfected(t: number, n: number, i0: number, k: number): number {
  return n / (1 + (n / i0 - 1) * Math.exp(-k * t));
}

/** Time at which the logistic curve reaches fraction f of N. */
export function logisticTimeTo(f: number, n: number, i0: number, k: number): number {
  return Math.log((f / (1 - f)) * (n / i0 - 1)) / k;
}

export type Derivative = (t: number, y: Float64Array, out: Float64Array) => void;

/** Classic fourth-order Runge-Kutta with a fixed step; calls onStep(t, y) at t0 and every step. */
export function integrateRk4(
  f: Derivative,
  y0: readonly number[],
  t0: number,
  t1: number,
  dt: number,
  onStep: (t: number, y: Float64Array) => void,
): Float64Array {
  const n = y0.length;
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n), k2 = new Float64Array(n), k3 = new Float64Array(n), k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  onStep(t0, y);
  const steps = Math.ceil((t1 - t0) / dt - 1e-9);
  for (let s = 0; s < steps; s++) {
    const t = t0 + s * dt;
    const h = Math.min(dt, t1 - t);
    f(t, y, k1);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + (h / 2) * k1[i];
    f(t + h / 2, tmp, k2);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + (h / 2) * k2[i];
    f(t + h / 2, tmp, k3);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + h * k3[i];
    f(t + h, tmp, k4);
    for (let i = 0; i < n; i++) y[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    onStep(t + h, y);
  }
  return y;
}

/** One row of a deterministic model's output. */
export interface ModelPoint {
  readonly t: number;
  readonly susceptible: number;
  readonly infected: number;
  /** Removed (cleaned or dead) infected hosts. */
  readonly removed: number;
  /** Patched while still susceptible (immunised). */
  readonly patched: number;
}

export interface SirParams {
  readonly n: number;
  readonly i0: number;
  /** Infection rate per infected host per second at full susceptibility (K of the logistic). */
  readonly beta: number;
  /** Removal rate of infected hosts per second. */
  readonly gamma: number;
  readonly horizon: number;
  readonly dt: number;
}

/** SIR: dS = -beta S I / N, dI = beta S I / N - gamma I, dR = gamma I. */
export function sirModel(p: SirParams): ModelPoint[] {
  const out: ModelPoint[] = [];
  integrateRk4(
    (_t, y, d) => {
      const inf = (p.beta * y[0] * y[1]) / p.n;
      d[0] = -inf;
      d[1] = inf - p.gamma * y[1];
      d[2] = p.gamma * y[1];
    },
    [p.n - p.i0, p.i0, 0],
    0,
    p.horizon,
    p.dt,
    (t, y) => out.push({ t, susceptible: y[0], infected: y[1], removed: y[2], patched: 0 }),
  );
  return out;
}

/** Two-factor model, parameters as in Zou, Gong, Towsley (CCS 2002) section 5. */
export interface TwoFactorParams {
  readonly n: number;
  readonly i0: number;
  /** beta0: pairwise infection rate at the start (the paper uses 0.8/N per hour for Code Red). */
  readonly beta0: number;
  /** Congestion exponent eta in beta(t) = beta0 (1 - I/N)^eta (paper: 3). */
  readonly eta: number;
  /** Removal rate of infected hosts (paper: 0.05 per hour). */
  readonly gamma: number;
  /** Patching of susceptible hosts proportional to S J (paper: 0.06/N per hour). */
  readonly mu: number;
  readonly horizon: number;
  readonly dt: number;
}

/** Code Red parameters of the paper's numerical study (time unit: hour). */
export const ZOU_CODE_RED: TwoFactorParams = {
  n: 1_000_000, i0: 1, beta0: 0.8 / 1_000_000, eta: 3, gamma: 0.05, mu: 0.06 / 1_000_000, horizon: 80, dt: 0.01,
};

/**
 * dS/dt = -beta(t) S I - dQ/dt;  dR/dt = gamma I;  dQ/dt = mu S J;  J = I + R;  I = N - S - R - Q;
 * beta(t) = beta0 (1 - I/N)^eta. State vector [S, R, Q]; I follows from the conservation law.
 */
export function twoFactorModel(p: TwoFactorParams): ModelPoint[] {
  const out: ModelPoint[] = [];
  integrateRk4(
    (_t, y, d) => {
      const [s, r, q] = y;
      const i = Math.max(0, p.n - s - r - q);
      const beta = p.beta0 * Math.pow(Math.max(0, 1 - i / p.n), p.eta);
      const dq = p.mu * s * (i + r);
      d[0] = -beta * s * i - dq;
      d[1] = p.gamma * i;
      d[2] = dq;
    },
    [p.n - p.i0, 0, 0],
    0,
    p.horizon,
    p.dt,
    (t, y) => out.push({ t, susceptible: y[0], infected: Math.max(0, p.n - y[0] - y[1] - y[2]), removed: y[1], patched: y[2] }),
  );
  return out;
}

/** Discrete-time AAWP (Chen, Gao, Kwiat 2003), one tick per time unit. */
export interface AawpParams {
  readonly n: number;
  /** Hit-list size: hosts infected at tick 0. */
  readonly hitList: number;
  /** Scans per infected host per tick. */
  readonly scansPerTick: number;
  /** Death (removal) rate and patching rate per tick. */
  readonly death: number;
  readonly patch: number;
  readonly ticks: number;
  readonly space?: number;
}

/** n_{i+1} = (1-d-p) n_i + [(1-p)^i N - n_i] [1 - (1 - 1/T)^{s n_i}]. */
export function aawpModel(p: AawpParams): ModelPoint[] {
  const space = p.space ?? IPV4_SPACE;
  const out: ModelPoint[] = [];
  let n = p.hitList;
  let removed = 0;
  const logMiss = Math.log1p(-1 / space);
  for (let i = 0; i <= p.ticks; i++) {
    const unpatched = Math.pow(1 - p.patch, i) * p.n;
    out.push({ t: i, susceptible: Math.max(0, unpatched - n - removed), infected: n, removed, patched: p.n - unpatched });
    const hit = 1 - Math.exp(p.scansPerTick * n * logMiss);
    // As in the paper, the susceptible term is (1-p)^i N - n_i (dead hosts are not subtracted).
    const next = (1 - p.death - p.patch) * n + Math.max(0, unpatched - n) * hit;
    removed += p.death * n;
    n = Math.min(next, unpatched);
  }
  return out;
}
