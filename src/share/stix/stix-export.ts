// Alerts as STIX 2.1 objects (OASIS STIX 2.1, sections 4-7): the producer and its sensor (Identity),
// what was seen (Indicator, Observed Data with its SCOs, Sighting), what it concerns (Vulnerability,
// Malware when the worm is named by its commands, Infrastructure for scanners and worm nodes), the
// Relationships between them, and a TLP marking on everything. Ids and times derive from the alerts
// only, so the same alerts always give byte-identical objects (re-export never duplicates).

import type { Alert, Indicator } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { stixId, stixTime } from './stix-id.js';
import { addressSco, addressType, indicatorPattern, trafficSco, type ScoObject } from './stix-patterns.js';
import { tlpMarking, type TlpLevel } from './stix-tlp.js';

export interface StixObject {
  readonly type: string;
  readonly id: string;
  readonly spec_version?: string;
  readonly created?: string;
  readonly modified?: string;
  readonly [k: string]: unknown;
}

export interface StixExportOptions {
  /** The producing organisation (Identity, identity_class organization; created_by_ref of every object). */
  readonly organization: string;
  /** The sensor or node that saw the traffic (Identity, identity_class system; where_sighted_refs). */
  readonly sensor: string;
  readonly tlp: TlpLevel;
  /** How long an indicator stays valid after its last sighting (valid_until); default 30 days. */
  readonly indicatorValidityMs?: number;
}

/** created/modified of the objects that do not come from an alert (identities, the Blaster family,
 * vulnerabilities): a fixed time, so that they stay one version however often they are exported. */
export const STABLE_CREATED = '2003-07-16T00:00:00.000Z';
const DAY_MS = 86_400_000;
const CONFIDENCE: Readonly<Record<Severity, number>> = { info: 15, low: 30, medium: 50, high: 85, critical: 95 };
const SCAN_DETECTORS = new Set(['trw', 'threshold', 'recon']);
/** Blaster's own file name, fetched by tftp into the bind shell (eEye AL20030811). */
/** The day Blaster struck (eEye AL20030811). */
const BLASTER_FIRST_SEEN = '2003-08-11T00:00:00.000Z';
const BLASTER_SIGN = /\bmsblast(?:\.exe)?\b/i;

/** Objects whose content is the union of several alerts: created at the first, modified at the last. */
interface Span {
  first: number;
  last: number;
  confidence: number;
  readonly make: (first: number, last: number, confidence: number) => StixObject;
}

/** Builds the objects for a set of alerts; one builder per export (it holds that export's state). */
export class StixExporter {
  private readonly fixed = new Map<string, StixObject>();
  private readonly spans = new Map<string, Span>();
  private readonly org: StixObject;
  private readonly sensor: StixObject;
  private readonly marking: string;

  constructor(private readonly o: StixExportOptions) {
    const tlp = tlpMarking(o.tlp);
    this.marking = tlp.id;
    this.fixed.set(tlp.id, tlp);
    this.org = this.put({ type: 'identity', ...this.common('identity', { org: o.organization }, STABLE_CREATED), name: o.organization, identity_class: 'organization' });
    this.sensor = this.put({
      type: 'identity', ...this.common('identity', { sensor: o.sensor, org: o.organization }, STABLE_CREATED), name: o.sensor, identity_class: 'system',
      description: 'Vigil sensor (DCE/RPC honeypot listeners and detectors)',
    });
  }

  /** Every object of the alerts added so far, in a stable order (type, then id). */
  objects(): StixObject[] {
    const all = [...this.fixed.values(), ...[...this.spans.values()].map((s) => s.make(s.first, s.last, s.confidence))];
    return all.sort((a, b) => (a.type === b.type ? (a.id < b.id ? -1 : 1) : a.type < b.type ? -1 : 1));
  }

  add(alert: Alert): void {
    const indicators = this.indicatorsOf(alert);
    const confidence = CONFIDENCE[alert.severity];
    const ts = alert.ts;
    const observed = this.observedData(alert);
    const indicatorIds: string[] = [];
    for (const ind of indicators) {
      const pattern = indicatorPattern(ind);
      if (pattern === undefined) continue;
      const id = this.indicator(ind, pattern, ts, confidence);
      indicatorIds.push(id);
      const sightingId = stixId('sighting', { alert: alert.id, pattern });
      this.put({
        type: 'sighting', ...this.common('sighting', null, stixTime(ts), sightingId), confidence,
        description: alert.title.slice(0, 1024), sighting_of_ref: id, where_sighted_refs: [this.sensor.id], count: 1,
        first_seen: stixTime(ts), last_seen: stixTime(ts), ...(observed ? { observed_data_refs: [observed] } : {}),
      });
    }
    for (const cve of alert.cves) {
      const vuln = this.vulnerability(cve);
      for (const i of indicatorIds) this.relationship(i, 'related-to', vuln, ts, confidence);
    }
    const src = alert.src;
    if (src !== undefined && SCAN_DETECTORS.has(alert.detector)) {
      const infra = this.infrastructure(src, 'reconnaissance', `scanner ${src}`, ts, confidence);
      for (const i of indicatorIds) this.relationship(i, 'indicates', infra, ts, confidence);
    }
    if (this.namesBlaster(alert)) {
      const malware = this.blaster(ts);
      for (const i of indicatorIds) this.relationship(i, 'indicates', malware, ts, confidence);
      if (src !== undefined) {
        const node = this.infrastructure(src, 'botnet', `Blaster-infected host ${src}`, ts, confidence);
        this.relationship(node, 'delivers', malware, ts, confidence);
      }
    }
  }

  /** The alert's own indicators, with its source address first when the detector did not list it. */
  private indicatorsOf(a: Alert): Indicator[] {
    const list = [...a.indicators];
    if (a.src !== undefined && !list.some((i) => i.value === a.src)) list.unshift({ type: addressType(a.src), value: a.src });
    return list;
  }

  private indicator(ind: Indicator, pattern: string, ts: number, confidence: number): string {
    const id = stixId('indicator', { pattern });
    const validity = this.o.indicatorValidityMs ?? 30 * DAY_MS;
    const name = `${ind.type === 'command' ? 'command' : ind.type} ${ind.value}`.slice(0, 256);
    return this.span(id, ts, confidence, (first, last, conf) => ({
      type: 'indicator', ...this.common('indicator', null, stixTime(first), id, stixTime(last)), confidence: conf,
      name, indicator_types: ['malicious-activity'], pattern, pattern_type: 'stix', pattern_version: '2.1',
      valid_from: stixTime(first), valid_until: stixTime(last + validity),
    }));
  }

  private observedData(a: Alert): string | undefined {
    if (a.src === undefined) return undefined;
    const addr = addressSco(a.src);
    const traffic = trafficSco(addr, a.dport);
    this.fixed.set(addr.id, addr);
    this.fixed.set(traffic.id, traffic);
    const id = stixId('observed-data', { alert: a.id });
    const t = stixTime(a.ts);
    return this.put({
      type: 'observed-data', ...this.common('observed-data', null, t, id), first_observed: t, last_observed: t, number_observed: 1,
      object_refs: [addr.id, traffic.id],
    }).id;
  }

  private vulnerability(cve: string): string {
    const id = stixId('vulnerability', { cve });
    if (!this.fixed.has(id)) {
      this.put({
        type: 'vulnerability', ...this.common('vulnerability', null, STABLE_CREATED, id), name: cve,
        external_references: [{ source_name: 'cve', external_id: cve }, { source_name: 'nvd', url: `https://nvd.nist.gov/vuln/detail/${encodeURIComponent(cve)}` }],
      });
    }
    return id;
  }

  /** Blaster, the family; its last_seen follows the latest alert that named it (a new version each time). */
  private blaster(ts: number): string {
    const id = stixId('malware', { family: 'blaster' });
    this.span(id, ts, CONFIDENCE.critical, (_first, last) => ({
      type: 'malware', ...this.common('malware', null, STABLE_CREATED, id, stixTime(last)), name: 'Blaster', is_family: true,
      aliases: ['MSBlast', 'Lovsan', 'W32.Blaster.Worm'], malware_types: ['worm'],
      description: 'Worm of 11 August 2003 exploiting MS03-026 (CVE-2003-0352) on TCP 135; fetches msblast.exe by TFTP into a shell on TCP 4444.',
      first_seen: BLASTER_FIRST_SEEN, last_seen: stixTime(Math.max(last, Date.parse(BLASTER_FIRST_SEEN))),
      architecture_execution_envs: ['x86'], implementation_languages: ['c'], capabilities: ['accesses-remote-machines', 'compromises-system-availability'],
      external_references: [{ source_name: 'cve', external_id: 'CVE-2003-0352' }],
    }));
    const vuln = this.vulnerability('CVE-2003-0352');
    const rel = stixId('relationship', { source: id, type: 'exploits', target: vuln });
    this.put({ type: 'relationship', ...this.common('relationship', null, STABLE_CREATED, rel), relationship_type: 'exploits', source_ref: id, target_ref: vuln });
    return id;
  }

  private namesBlaster(a: Alert): boolean {
    return a.indicators.some((i) => BLASTER_SIGN.test(i.value)) || BLASTER_SIGN.test(a.title);
  }

  private infrastructure(src: string, kind: 'reconnaissance' | 'botnet', name: string, ts: number, confidence: number): string {
    const id = stixId('infrastructure', { src, kind });
    return this.span(id, ts, confidence, (first, last, conf) => ({
      type: 'infrastructure', ...this.common('infrastructure', null, stixTime(first), id, stixTime(last)), confidence: conf,
      name, infrastructure_types: [kind], first_seen: stixTime(first), last_seen: stixTime(last),
    }));
  }

  private relationship(source: string, type: string, target: string, ts: number, confidence: number): void {
    const id = stixId('relationship', { source, type, target });
    this.span(id, ts, confidence, (first, last, conf) => ({
      type: 'relationship', ...this.common('relationship', null, stixTime(first), id, stixTime(last)), confidence: conf,
      relationship_type: type, source_ref: source, target_ref: target,
    }));
  }

  private span(id: string, ts: number, confidence: number, make: Span['make']): string {
    const s = this.spans.get(id);
    if (s === undefined) this.spans.set(id, { first: ts, last: ts, confidence, make });
    else {
      s.first = Math.min(s.first, ts);
      s.last = Math.max(s.last, ts);
      s.confidence = Math.max(s.confidence, confidence);
    }
    return id;
  }

  private put(o: StixObject): StixObject {
    this.fixed.set(o.id, o);
    return o;
  }

  /** The common properties (section 3.2) every SDO/SRO here carries. */
  private common(type: string, key: unknown, created: string, id = stixId(type, key), modified = created): { id: string; spec_version: string; created: string; modified: string; created_by_ref?: string; object_marking_refs: string[] } {
    return {
      spec_version: '2.1', id, created, modified,
      ...(this.org === undefined ? {} : { created_by_ref: this.org.id }),
      object_marking_refs: [this.marking],
    };
  }
}

/** A bundle (section 8) of the objects; its id derives from their ids and versions. */
export function stixBundle(objects: readonly StixObject[]): { type: 'bundle'; id: string; objects: readonly StixObject[] } {
  return { type: 'bundle', id: stixId('bundle', objects.map((o) => `${o.id}@${o.modified ?? ''}`)), objects };
}

/** The bundle for a set of alerts, in one call. */
export function alertsToStix(alerts: Iterable<Alert>, o: StixExportOptions): { type: 'bundle'; id: string; objects: readonly StixObject[] } {
  const x = new StixExporter(o);
  for (const a of alerts) x.add(a);
  return stixBundle(x.objects());
}

export type { ScoObject };
