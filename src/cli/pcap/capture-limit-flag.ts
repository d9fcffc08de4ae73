// `--capture-limit NAME=VALUE` (repeatable) of `vigil pcap` and `vigil replay`: any named capture
// limit (capture-limits.ts: max_flows, tcp_idle_timeout_s, ...) for this run, checked before the
// file is opened, so a typo is a usage error (exit 2) naming the flag and the known limits.

import { AppError } from '../../core/errors.js';
import { captureLimits } from '../../ingest/capture/pcap-driver.js';
import type { CaptureLimitName } from '../../protocols/pcap/capture-limits.js';

export type CaptureLimitOverrides = Partial<Record<CaptureLimitName, number>>;

/** Commander's collector: `name=value` into the overrides given so far. */
export function collectCaptureLimit(v: string, prev: CaptureLimitOverrides = {}): CaptureLimitOverrides {
  const m = /^([a-z_]+)=(\d+)$/.exec(v.trim());
  if (!m) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--capture-limit: expected NAME=INTEGER (e.g. tcp_idle_timeout_s=600), got ${JSON.stringify(v)}`);
  const next = { ...prev, [m[1]]: Number(m[2]) } as CaptureLimitOverrides;
  // names and ranges checked now (resolveLimits says which exist and what each allows)
  captureLimits(next, '--capture-limit');
  return next;
}
