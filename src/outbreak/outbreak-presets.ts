// Presets from measured outbreaks (sources cited per preset) plus "today": the reference case's
// worm behaviour on an exposed population taken from Vigil's own data when the caller supplies it.

import { AppError } from '../core/errors.js';
import type { AssetView, Finding } from '../model/asset.js';
import { sortedUnique } from './address-layout.js';
import { CODE_RED_II_MIX } from './outbreak-config.js';
import type { OutbreakConfig } from './outbreak-config.js';

const MIN = 60;
const HOUR = 3600;

/**
 * Code Red v2, 19 July 2001. Moore, Shannon, Brown, "Code-Red: a case study on the spread and
 * victims of an Internet worm", IMW 2002: more than 359,000 hosts infected in under 14 hours, peak
 * above 2,000 new hosts per minute. Staniford, Paxson, Weaver, "How to 0wn the Internet in Your
 * Spare Time", USENIX Security 2002: logistic fit K = 1.8 per hour. Scan rate 358 per minute as in
 * Zou, Gong, Towsley (CCS 2002) section 4, which with N = 359,000 gives K = eta N / 2^32 = 1.79/h.
 * Uniform random scanning of TCP 80 (the fixed-seed v1 bug was gone in v2).
 */
export const CODE_RED_V2: OutbreakConfig = {
  name: 'codered', vulnerable: 359_000, layout: { kind: 'uniform' }, strategy: { kind: 'uniform' },
  scanRate: 358 / MIN, port: 80, proto: 'tcp', initialInfected: 10, horizon: 24 * HOUR, dt: 60,
};

/**
 * Code Red II, 4 August 2001: local preference 1/2 same /8, 3/8 same /16, 1/8 random (Staniford et
 * al. 2002 section 3; eEye "CodeRedII Worm Analysis", 2001). Population and rate as Code Red v2
 * (same IIS flaw); the layout is clustered because local preference only matters when it is.
 */
export const CODE_RED_II: OutbreakConfig = {
  ...CODE_RED_V2, name: 'coderedii', strategy: { kind: 'local-preference', mix: CODE_RED_II_MIX },
  layout: { kind: 'clustered', slash16Blocks: 20_000, slash24PerSlash16: 64, zipf: 0.6 },
};

/**
 * SQL Slammer / Sapphire, 25 January 2003, UDP 1434. Moore, Paxson, Savage, Shannon, Staniford,
 * Weaver, "Inside the Slammer Worm", IEEE S&P 1(4), 2003: at least 75,000 hosts, more than 90%
 * within 10 minutes, early doubling time 8.5 s, average scan rate about 4,000 scans/s per host
 * (that rate with N = 75,000 doubles every 9.9 s; we keep the measured rate). The aggregate
 * reached "over 55 million scans per second" after about 3 minutes, when links saturated; the cap
 * below is the delivered aggregate at which the simulated spread reaches 90% near 10 minutes (the
 * sent rate was higher, but saturated links dropped much of it).
 */
export const SLAMMER: OutbreakConfig = {
  name: 'slammer', vulnerable: 75_000, layout: { kind: 'uniform' }, strategy: { kind: 'uniform' },
  scanRate: 4000, bandwidthCap: 20e6, port: 1434, proto: 'udp', initialInfected: 1, horizon: 30 * MIN, dt: 0.5,
};

/**
 * Witty, 19 March 2004, UDP 4000 (ISS BlackICE/RealSecure). Shannon, Moore, "The Spread of the Witty
 * Worm", IEEE S&P 2(4), 2004: about 12,000 hosts; 110 hosts infected within 10 seconds (a hit list
 * or pre-placed ground zero), most of the population within 45 minutes. Per-host rates varied with
 * bandwidth; 900 scans/s puts the logistic closed form from 110 hosts at 90% in about 45 minutes.
 */
export const WITTY: OutbreakConfig = {
  name: 'witty', vulnerable: 12_000, layout: { kind: 'uniform' }, strategy: { kind: 'hit-list', hitList: 110 },
  scanRate: 900, port: 4000, proto: 'udp', initialInfected: 1, horizon: 2 * HOUR, dt: 1,
};

/**
 * Blaster (MSBlast), 11 August 2003, TCP 135, MS03-026 (the reference case). Analyses of the binary
 * (eEye "Blaster Worm Analysis" AL20030811; Symantec W32.Blaster.Worm write-up): start at A.B.C.0,
 * with probability 0.4 in its own /16 with C lowered by up to 20, else random A.B.C; then sweep
 * upward, 20 targets at a time about every 1.8 s (11.1 scans/s). Infected population estimates
 * range from at least 100,000 (Bailey et al., "The Blaster Worm: Then and Now", IEEE S&P 2005) to
 * several hundred thousand; 300,000 is our assumption, clustered in home-broadband /16s.
 * Not modelled: the GetTickCount-seeded PRNG that sent many hosts to the same start blocks (Cooke,
 * Mao, Jahanian, "Worm Hotspots", 2004) and connection timeouts that slowed real sweeps; so this
 * preset spreads in hours where the real worm took days.
 */
export const BLASTER: OutbreakConfig = {
  name: 'blaster', vulnerable: 300_000,
  layout: { kind: 'clustered', slash16Blocks: 20_000, slash24PerSlash16: 64, zipf: 0.6 },
  strategy: { kind: 'sequential', localFraction: 0.4, localBackoff: 20 },
  scanRate: 20 / 1.8, port: 135, proto: 'tcp', initialInfected: 10, horizon: 24 * HOUR, dt: 60,
};

/** Exposed hosts assumed by "today" when Vigil has no exposure data to offer. */
export const TODAY_ASSUMED_POPULATION = 100_000;

/**
 * "What if today": Blaster's behaviour on TCP 135 against today's exposed population. `exposed` is
 * what Vigil's exposure data says (a count, or the addresses themselves); without it the preset
 * runs on TODAY_ASSUMED_POPULATION hosts and says so in its name.
 */
export function todayPreset(exposed?: number | Uint32Array): OutbreakConfig {
  const given = exposed !== undefined && (typeof exposed === 'number' ? exposed > 0 : exposed.length > 0);
  return {
    ...BLASTER,
    name: given ? 'today' : 'today-assumed-population',
    vulnerable: given ? exposed : TODAY_ASSUMED_POPULATION,
    layout: { kind: 'uniform' },
  };
}

/** Finding states in which the asset is still exposed. */
const STILL_EXPOSED = new Set<Finding['status']>(['open', 'reopened', 'risk-accepted']);

/**
 * The exposed population from Vigil's exposure data: IPv4 addresses of assets with a finding for
 * `vulnId` that is not fixed (IPv6 assets are left out: the worms modelled here scan IPv4).
 */
export function exposedFromFindings(
  assets: readonly Pick<AssetView, 'id' | 'addresses'>[],
  findings: readonly Pick<Finding, 'assetId' | 'vulnId' | 'status'>[],
  vulnId: string,
): Uint32Array {
  const exposedIds = new Set(findings.filter((f) => f.vulnId === vulnId && STILL_EXPOSED.has(f.status)).map((f) => f.assetId));
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
  const addrs: number[] = [];
  for (const a of assets) {
    if (!exposedIds.has(a.id)) continue;
    for (const address of a.addresses) {
      const m = v4.exec(address);
      if (m && m.slice(1).every((o) => Number(o) <= 255)) addrs.push(m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0));
    }
  }
  return sortedUnique(addrs);
}

export const PRESET_NAMES = ['codered', 'coderedii', 'slammer', 'witty', 'blaster', 'today'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export function presetByName(name: string, exposed?: number | Uint32Array): OutbreakConfig {
  switch (name) {
    case 'codered': return CODE_RED_V2;
    case 'coderedii': return CODE_RED_II;
    case 'slammer': return SLAMMER;
    case 'witty': return WITTY;
    case 'blaster': return BLASTER;
    case 'today': return todayPreset(exposed);
    default:
      throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `unknown preset "${name}" (known: ${PRESET_NAMES.join(', ')})`);
  }
}
