// Poisson upper tail P(X >= k | lambda) in log10, for surge significance: how unlikely k distinct
// sources in a bucket are when the baseline rate is lambda (Johnson, Kemp, Kotz, "Univariate Discrete
// Distributions" 3rd ed., 4.2; the tail series is the one of Loader's saddle-point note, summed directly).

/** ln(n!) exactly for small n, by Stirling's series above (error below 1e-10 from n = 30 on). */
export function logFactorial(n: number): number {
  if (n < 30) {
    let s = 0;
    for (let i = 2; i <= n; i++) s += Math.log(i);
    return s;
  }
  const x = n + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

/**
 * -log10 P(X >= k) for X ~ Poisson(lambda): 0 when k <= lambda (at least about even odds, nothing
 * to report), otherwise the log of pmf(k) times the tail series 1 + l/(k+1) + l^2/((k+1)(k+2)) + ...,
 * which converges geometrically because k > lambda. Stays finite where the probability underflows
 * a double (3,000 sources against a rate of 2 gives about 6,900).
 */
export function poissonTailSignificance(k: number, lambda: number): number {
  if (k <= lambda || k <= 0) return 0;
  if (lambda <= 0) return Number.POSITIVE_INFINITY;
  const logPmf = k * Math.log(lambda) - lambda - logFactorial(k);
  let term = 1;
  let sum = 1;
  for (let j = 1; j < 100_000 && term > 1e-12 * sum; j++) {
    term *= lambda / (k + j);
    sum += term;
  }
  return Math.max(0, -(logPmf + Math.log(sum)) / Math.LN10);
}
