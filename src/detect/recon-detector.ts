// Reconnaissance of a sensor: one source sweeping most of one sensor address's ports, or sending
// service-detection probes (nmap -sV, nmap-service-probes) to its RPC ports. One alert per source.

import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Alert } from '../model/alert.js';
import type { AnomalyEvent, VigilEvent } from '../model/event.js';
import { addrText, type AddrKey, addrKey } from './addr-key.js';
import { makeAlert, NO_ALERTS as NONE } from './alert-factory.js';
import { serviceProbeOf, type ServiceProbe } from './service-probes.js';

/** The ports `vigil up` listens on by default (config sensor.ports); a composition root passes its own. */
export const DEFAULT_SENSOR_PORTS: readonly number[] = [135, 139, 445, 593, 4444];

export const RECON_LIMITS = {
  sweepPorts: { default: 3, min: 1, max: 65_536, unit: 'ports', doc: 'distinct sensor ports one source reaches on one sensor address within windowMs to be a sweep (capped at the number of sensor ports); Zeek\'s port_scan_threshold of 15 never fires on a 5-port sensor' },
  probeCount: { default: 1, min: 1, max: 1000, unit: 'probes', doc: 'recognised service-detection probes (nmap-service-probes openings) from one source within windowMs before it is alerted; no RPC client sends a DNS query or an HTTP GET to port 135, so one is enough' },
  windowMs: { default: 10 * 60_000, min: 1000, max: 86_400_000, unit: 'ms', doc: 'how long a sweep or a probe series is followed; nmap -sV of a few ports takes seconds to a minute or two' },
  maxKeys: { default: 100_000, min: 1, max: 10_000_000, unit: 'keys', doc: 'sources followed (sweeps and probe series together); past it the oldest are dropped first' },
} as const;

export interface ReconOptions {
  /** The sensor's ports (default DEFAULT_SENSOR_PORTS); only contacts to them count for a sweep. */
  readonly ports?: readonly number[];
  readonly limits?: Partial<Record<keyof typeof RECON_LIMITS, number>>;
}

interface Window {
  start: number;
  fired: boolean;
  readonly items: Set<number | string>;
}

/** A source's sweep of the destination it is working on: the sensor ports it reached since
 * `start` (the first `n` of `ports`). One per source, reused when the source moves on (no key
 * string or set per contact: this runs once per line of a replayed conn.log; a count rather than
 * `ports.length = 0`, which is a runtime call, on every move of a scanner to its next host). */
interface Sweep {
  dst: AddrKey;
  start: number;
  fired: boolean;
  n: number;
  readonly ports: number[];
}


/**
 * Why a detector of its own: the scan detectors answer other questions. TRW (Jung et al. 2004)
 * needs failed first contacts with distinct hosts, Zeek's port scan 15 ports of one host; a sensor
 * is one host with five ports, so a full sweep of it raised nothing, and nmap -sV's probes raised
 * one low `dcerpc_bad_version` alert per probe. Here a sweep is sweepPorts of the sensor's own ports
 * (failed contacts only, as Zeek counts: every contact with a sensor fails, a real server's clients
 * succeed), and a probe is recognised by its first bytes (service-probes.ts); the pipeline then keeps
 * the probe's anomaly from the exploit detector, so a scan is one recon alert, not several
 * exploit-looking ones. Windows open at the first contact and last windowMs (per key, like the
 * threshold detector), and fire once each.
 */
export class ReconDetector {
  private readonly limits: ResolvedLimits<typeof RECON_LIMITS>;
  private readonly ports: ReadonlySet<number>;
  private readonly need: number;
  /** src -> its current sweep; insertion order (bounded: the oldest source is dropped first). */
  private readonly sweeps = new Map<AddrKey, Sweep>();
  /** src -> distinct probe names. */
  private readonly probes = new Map<string, Window & { tool?: 'nmap'; names: string[] }>();

  constructor(opts: ReconOptions = {}) {
    this.limits = resolveLimits(RECON_LIMITS, opts.limits, 'detect.recon');
    this.ports = new Set(opts.ports ?? DEFAULT_SENSOR_PORTS);
    this.need = Math.min(this.limits.sweepPorts, this.ports.size);
  }

  /** Whether the pipeline should keep this event from the exploit detector (a recognised probe). */
  folds(ev: VigilEvent): boolean {
    return ev.type === 'anomaly' && serviceProbeOf(ev.anomaly) !== undefined;
  }

  push(ev: VigilEvent): Alert[] {
    if (ev.type === 'conn') return ev.outcome === 'failure' ? this.contact(ev.ts, addrKey(ev.src), addrKey(ev.dst), ev.dport) : NONE;
    if (ev.type === 'anomaly') return this.onAnomaly(ev);
    return NONE;
  }

  /**
   * One failed contact (the conn.log fast path), addresses as addrKey() gives them. A sweep is
   * followed per source on one destination at a time: a scanner of one sensor reaches its ports
   * one after the other (nmap -sV, a worm trying 135 then 445); one that interleaves many hosts is
   * what TRW and the threshold detector's address scan see.
   */
  contact(ts: number, src: AddrKey, dst: AddrKey, dport: number): Alert[] {
    if (!this.ports.has(dport)) return NONE;
    let w = this.sweeps.get(src);
    if (w === undefined) {
      w = { dst, start: ts, fired: false, n: 0, ports: [] };
      this.sweeps.set(src, w);
      if (this.sweeps.size + this.probes.size > this.limits.maxKeys) this.sweeps.delete(this.sweeps.keys().next().value as AddrKey);
    } else if (w.dst !== dst || ts - w.start > this.limits.windowMs) {
      w.dst = dst;
      w.start = ts;
      w.fired = false;
      w.n = 0;
    }
    if (w.fired || reached(w, dport)) return NONE;
    w.ports[w.n++] = dport;
    if (w.n < this.need) return NONE;
    w.fired = true;
    return [this.sweepAlert(ts, addrText(src), addrText(dst), w)];
  }

  private onAnomaly(ev: AnomalyEvent): Alert[] {
    const probe = serviceProbeOf(ev.anomaly);
    if (probe === undefined) return NONE;
    const w = this.window(this.probes, ev.src, ev.ts, () => ({ start: ev.ts, fired: false, items: new Set(), names: [] }));
    if (!w.items.has(probe.probe)) {
      w.items.add(probe.probe);
      w.names.push(probe.probe);
      if (probe.tool !== undefined) w.tool = probe.tool;
    }
    if (w.fired || w.items.size < this.limits.probeCount) return NONE; // folded into the alert already raised
    w.fired = true;
    return [this.probeAlert(ev, probe, w)];
  }

  /** The current window of key, a new one when none is open; touched to the young end of the LRU. */
  private window<W extends Window>(map: Map<string, W>, key: string, ts: number, make: () => W): W {
    let w = map.get(key);
    if (w !== undefined) map.delete(key);
    if (w === undefined || ts - w.start > this.limits.windowMs) w = make();
    map.set(key, w);
    if (this.sweeps.size + this.probes.size > this.limits.maxKeys) {
      const oldest = this.probes.keys().next().value;
      if (oldest !== undefined) this.probes.delete(oldest);
    }
    return w;
  }

  /** What the source's probes so far say about its tool (a sweep by nmap -sV names it). */
  private toolOf(src: string): { tool?: string; probes?: string[] } {
    const p = this.probes.get(src);
    if (p === undefined) return {};
    return { ...(p.tool !== undefined ? { tool: p.tool } : {}), probes: [...p.names] };
  }

  private sweepAlert(ts: number, src: string, dst: string, w: Sweep): Alert {
    const ports = w.ports.slice(0, w.n).sort((a, b) => a - b);
    const tool = this.toolOf(src);
    return makeAlert({
      ts, detector: 'recon', rule: 'recon_sensor_sweep', severity: 'medium',
      title: `reconnaissance: ${src} probed ${ports.length} of the sensor's ${this.ports.size} ports on ${dst} within ${Math.round((ts - w.start) / 1000)} s (${ports.join(', ')})${tool.tool ? `, ${tool.tool}` : ''}`,
      src,
      dedupKey: `recon:sweep:${src}:${dst}`,
      evidence: { dst, ports, sensorPorts: [...this.ports].sort((a, b) => a - b), threshold: this.need, windowMs: this.limits.windowMs, windowStart: w.start, ...tool },
      indicators: [{ type: src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: src }],
    });
  }

  private probeAlert(ev: AnomalyEvent, probe: ServiceProbe, w: Window & { tool?: 'nmap'; names: string[] }): Alert {
    const tool = w.tool ?? 'service detection (nmap-like)';
    return makeAlert({
      ts: ev.ts, detector: 'recon', rule: 'recon_nmap_service_probe', severity: 'medium',
      title: `reconnaissance: ${ev.src} sent ${tool === 'nmap' ? "nmap's" : 'a'} service-detection probe ${probe.probe} to ${ev.dst}:${ev.dport}`,
      src: ev.src, dport: ev.dport, ...(ev.session !== undefined ? { session: ev.session } : {}),
      dedupKey: `recon:probe:${ev.src}`,
      evidence: { dst: ev.dst, tool, probes: [...w.names], anomaly: ev.anomaly.name, detail: ev.anomaly.detail, windowMs: this.limits.windowMs },
      indicators: [{ type: ev.src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: ev.src }],
    });
  }
}

/** Whether the sweep reached this port already (a handful at most: a scan, not a Set). */
function reached(w: Sweep, port: number): boolean {
  for (let i = 0; i < w.n; i++) if (w.ports[i] === port) return true;
  return false;
}
