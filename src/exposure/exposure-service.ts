// Exposure: inventories and scans merged into assets, assets matched to the knowledge base, and
// findings tracked from open to fixed (verified by a rescan or an installed hotfix) and reopened
// when the flaw comes back. Every import or scan is committed in one transaction.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { canonicalAddress } from '../core/ip-address.js';
import { resolveLimits } from '../core/limits.js';
import { vulnerabilitiesForHost, vendorProductKey, type HostMatch } from '../kb/kb-host-match.js';
import type { KbStorePort } from '../kb/kb-store-port.js';
import { searchKeys } from '../kb/merge-record.js';
import type { Alert } from '../model/alert.js';
import type { Asset, CompromiseMark, Finding, FindingStatus } from '../model/asset.js';
import type { KbVulnerabilityRecord } from '../model/kb-records.js';
import type { HostScanResult } from '../model/scan.js';
import { assetView, identityOf, mergeObservation } from './asset-merge.js';
import type { AssetObservation } from './asset-observation.js';
import { IMPORT_LIMITS, type ImportLimits } from './exposure-limits.js';
import type { ExposureStore } from './exposure-store-port.js';
import { applyObservation, refresh, setByPerson, type Observation, type VulnFacts } from './finding-engine.js';
import { DEFAULT_DUE_DAYS, type DuePolicy } from './finding-policy.js';
import { importFile, type ImportFormat } from './import/import-file.js';
import { scanObservation } from './scan-observation.js';
import { assetsConcerned } from './vuln-concern.js';

export interface ExposureServiceDeps {
  readonly store: ExposureStore;
  readonly kb: KbStorePort;
  readonly clock: Clock;
  readonly policy?: DuePolicy;
  readonly limits?: Partial<Record<keyof ImportLimits, number>>;
  /** Stored alerts whose source is `address` (the alert repository); links past alerts to new assets. */
  readonly alertsFrom?: (address: string) => Promise<readonly Alert[]>;
}

export interface IngestSummary {
  assetsCreated: number;
  assetsUpdated: number;
  findingsOpened: number;
  findingsFixed: number;
  findingsReopened: number;
  findingsUpdated: number;
}

/** Findings per asset read at most; an asset with more is refused rather than half-evaluated. */
const MAX_FINDINGS_PER_ASSET = 10_000;
/** Asset CPE facts a new vulnerability is matched against at most (a reason says when it stopped). */
export const MAX_CONCERN_CPE_FACTS = 200_000;
/** Assets named in one vulnerability's reasons; the rest are counted in one more reason. */
export const MAX_CONCERN_REASONS = 20;

export class ExposureService {
  readonly limits: ImportLimits;
  readonly policy: DuePolicy;

  constructor(private readonly deps: ExposureServiceDeps) {
    this.limits = resolveLimits(IMPORT_LIMITS, deps.limits ?? {}, 'exposure.import');
    this.policy = deps.policy ?? DEFAULT_DUE_DAYS;
  }

  /** Parse every file first; only when all parse is anything stored, in one transaction. */
  async importFiles(files: readonly { path: string; format?: ImportFormat; host?: string }[]): Promise<IngestSummary & { files: { path: string; format: ImportFormat; hosts: number }[] }> {
    const now = this.deps.clock.now();
    const parsed = [];
    for (const f of files) {
      const r = await importFile(f.path, this.limits, { now, ...(f.format ? { format: f.format } : {}), ...(f.host !== undefined ? { host: f.host } : {}) });
      parsed.push({ path: f.path, ...r });
    }
    const summary = await this.ingest(parsed.flatMap((p) => p.observations));
    return { ...summary, files: parsed.map((p) => ({ path: p.path, format: p.format, hosts: p.observations.length })) };
  }

  /** Scan results (src/scan's onResult) into assets and findings; check verdicts open, close and reopen. */
  async applyScan(results: Iterable<HostScanResult>, origin = 'scan'): Promise<IngestSummary> {
    const obs: AssetObservation[] = [];
    const checks = new Map<AssetObservation, ReadonlyMap<string, Observation>>();
    for (const r of results) {
      const o = scanObservation(r, this.limits, origin);
      if (!o) continue;
      // A target that showed nothing (no open port, name, OS or check) is no new asset; for a known one
      // the result still counts: its ports are closed now.
      if (!showsAnything(r) && (await this.deps.store.findAssetIds(identityOf(o.asset))).length === 0) continue;
      obs.push(o.asset);
      checks.set(o.asset, o.checks);
    }
    return this.ingest(obs, checks);
  }

  async ingest(observations: readonly AssetObservation[], checks = new Map<AssetObservation, ReadonlyMap<string, Observation>>()): Promise<IngestSummary> {
    const s: IngestSummary = { assetsCreated: 0, assetsUpdated: 0, findingsOpened: 0, findingsFixed: 0, findingsReopened: 0, findingsUpdated: 0 };
    const working = new Map<string, Asset>();
    const assetChecks = new Map<string, Map<string, Observation>>();
    const index = new Map<string, string>();
    const created = new Set<string>();
    for (const o of observations) {
      const ident = identityOf(o);
      const keys = [...ident.macs.map((m) => `mac:${m}`), ...ident.addresses.map((a) => `address:${a}`), ...ident.names.map((n) => `name:${n}`)];
      let id = keys.map((k) => index.get(k)).find((x) => x !== undefined);
      id ??= (await this.deps.store.findAssetIds(ident))[0];
      const prev = id !== undefined ? (working.get(id) ?? (await this.deps.store.getAsset(id))) : undefined;
      const merged = mergeObservation(prev, o, id ?? randomBytes(8).toString('hex'));
      if (!prev) created.add(merged.id);
      working.set(merged.id, merged);
      for (const f of merged.facts) if (f.kind === 'mac' || f.kind === 'address' || f.kind === 'name') index.set(`${f.kind}:${f.value}`, merged.id);
      const c = checks.get(o);
      if (c) assetChecks.set(merged.id, new Map([...(assetChecks.get(merged.id) ?? []), ...c]));
    }
    s.assetsCreated = created.size;
    s.assetsUpdated = working.size - created.size;
    const findings: Finding[] = [];
    const kb = new KbMemo(this.deps.kb);
    for (const asset of working.values()) {
      const marked = await this.linkAlerts(asset);
      working.set(asset.id, marked);
      for (const f of await this.evaluate(marked, assetChecks.get(asset.id) ?? new Map(), kb)) {
        findings.push(f.next);
        if (!f.prev) s.findingsOpened++;
        else if (f.next.status !== f.prev.status && f.next.status === 'fixed') s.findingsFixed++;
        else if (f.next.status !== f.prev.status && f.next.status === 'reopened') s.findingsReopened++;
        else s.findingsUpdated++;
      }
    }
    await this.deps.store.commit({ assets: [...working.values()], findings });
    return s;
  }

  /** Every vulnerability the asset's CPEs, checks and hotfixes speak of, through the finding engine. */
  private async evaluate(asset: Asset, checks: ReadonlyMap<string, Observation>, kb: KbMemo): Promise<{ prev?: Finding; next: Finding }[]> {
    const view = assetView(asset);
    const existing = await this.deps.store.listFindings({ assetId: asset.id, limit: MAX_FINDINGS_PER_ASSET });
    if (existing.total > MAX_FINDINGS_PER_ASSET) throw new AppError('VIGIL_ERR_LIMIT', `asset ${asset.id} has more than ${MAX_FINDINGS_PER_ASSET} findings`);
    const byVuln = new Map(existing.items.map((f) => [f.vulnId, f]));
    const matches = new Map((await kb.matches(view.cpes)).filter((m) => m.verdict === 'affected').map((m) => [m.id, m]));
    const vulnIds = new Set([...matches.keys(), ...checks.keys(), ...byVuln.keys()]);
    const now = this.deps.clock.now();
    const out: { prev?: Finding; next: Finding }[] = [];
    for (const vulnId of vulnIds) {
      const rec = await kb.record(vulnId);
      const obs = checks.get(vulnId) ?? hotfixObservation(asset, rec) ?? cpeObservation(asset, matches.get(vulnId));
      const prev = byVuln.get(vulnId);
      const ctx = { assetId: asset.id, vuln: kb.facts(vulnId, rec), ...(view.owner !== undefined ? { owner: view.owner } : {}), compromised: asset.compromised !== undefined, compromiseCves: asset.compromised?.cves ?? [], policy: this.policy, now };
      const next = obs ? applyObservation(prev, obs, ctx) : prev ? refresh(prev, ctx) : undefined;
      if (next && next !== prev) out.push({ ...(prev ? { prev } : {}), next });
    }
    return out;
  }

  /** The newest stored alert from any of the asset's addresses marks it probably compromised. */
  private async linkAlerts(asset: Asset): Promise<Asset> {
    if (!this.deps.alertsFrom) return asset;
    let mark = asset.compromised;
    for (const a of assetView(asset).addresses) {
      const newest = (await this.deps.alertsFrom(a))[0];
      if (newest && (!mark || newest.ts > mark.ts)) mark = markOf(newest, a);
    }
    return mark === asset.compromised ? asset : { ...asset, compromised: mark! };
  }

  /**
   * An alert (sensor or log) whose source is a known asset marks that asset probably compromised
   * and raises its findings' priority. Shaped as detect's AlertSink `deliver`; false: not an asset.
   */
  async noteAlert(alert: Alert): Promise<boolean> {
    const src = alert.src !== undefined ? canonicalAddress(alert.src) : undefined;
    if (src === undefined) return false;
    const ids = await this.deps.store.findAssetIds({ addresses: [src], macs: [], names: [] });
    if (ids.length === 0) return false;
    const assets: Asset[] = [];
    const findings: Finding[] = [];
    const kb = new KbMemo(this.deps.kb);
    for (const id of ids) {
      const a = await this.deps.store.getAsset(id);
      if (!a || (a.compromised && a.compromised.ts >= alert.ts)) continue;
      const marked: Asset = { ...a, compromised: markOf(alert, src) };
      assets.push(marked);
      const owner = assetView(marked).owner;
      for (const f of (await this.deps.store.listFindings({ assetId: id, limit: MAX_FINDINGS_PER_ASSET })).items) {
        const next = refresh(f, { vuln: kb.facts(f.vulnId, await kb.record(f.vulnId)), ...(owner !== undefined ? { owner } : {}), compromised: true, compromiseCves: alert.cves, now: this.deps.clock.now() });
        if (next !== f) findings.push(next);
      }
    }
    if (assets.length > 0) await this.deps.store.commit({ assets, findings });
    return assets.length > 0;
  }

  /** detect's AlertSink: the composition root adds it to the node's alert router. */
  alertSink(): { name: string; deliver: (a: Alert) => Promise<void> } {
    return { name: 'exposure', deliver: async (a) => { await this.noteAlert(a); } };
  }

  /**
   * Why a new or changed vulnerability concerns us, as alert reasons (the feed watcher's `assetsOf`):
   * assets it affects by their CPEs get their finding now (a weak, CPE-based one, as at import),
   * assets it possibly affects are named without a finding, and open findings on it are listed.
   */
  async concernedBy(rec: KbVulnerabilityRecord): Promise<string[]> {
    const facts = await this.deps.store.assetCpes(MAX_CONCERN_CPE_FACTS + 1);
    const cpesByAsset = new Map<string, string[]>();
    for (const f of facts.slice(0, MAX_CONCERN_CPE_FACTS)) cpesByAsset.set(f.assetId, [...(cpesByAsset.get(f.assetId) ?? []), f.cpe]);
    const concerns = assetsConcerned(rec, cpesByAsset);
    const kb = new KbMemo(this.deps.kb);
    const assets = new Map<string, Asset>();
    const findings: Finding[] = [];
    for (const c of concerns) {
      const a = await this.deps.store.getAsset(c.assetId);
      if (!a) continue;
      assets.set(a.id, a);
      if (c.verdict === 'affected') for (const f of await this.evaluate(a, new Map(), kb)) if (f.next.vulnId === rec.id) findings.push(f.next);
    }
    if (findings.length > 0) await this.deps.store.commit({ assets: [], findings });
    const reasons: string[] = [];
    const named = new Set<string>();
    for (const c of concerns) {
      const a = assets.get(c.assetId);
      if (!a) continue;
      named.add(a.id);
      reasons.push(c.verdict === 'affected'
        ? `asset ${labelOf(a)} affected (${c.cpe ?? 'cpe'}, ${c.basis})`
        : `asset ${labelOf(a)} possibly affected (${c.cpe ?? 'cpe'}, ${c.basis})`);
    }
    const open = await this.deps.store.listFindings({ vulnId: rec.id, status: ['open', 'reopened'], limit: MAX_CONCERN_REASONS });
    for (const f of open.items) {
      if (named.has(f.assetId)) continue;
      const a = await this.deps.store.getAsset(f.assetId);
      reasons.push(`open finding ${f.id} on asset ${a ? labelOf(a) : f.assetId}`);
    }
    const shown = reasons.slice(0, MAX_CONCERN_REASONS);
    if (reasons.length > shown.length) shown.push(`and ${reasons.length - shown.length} more assets`);
    if (facts.length > MAX_CONCERN_CPE_FACTS) shown.push(`asset matching stopped after ${MAX_CONCERN_CPE_FACTS} CPE facts`);
    return shown;
  }

  /** A person's decision on a finding (status, owner, note), kept in its history. */
  async updateFinding(id: string, change: { status?: FindingStatus; owner?: string; note?: string; by: string }): Promise<Finding> {
    const f = await this.deps.store.getFinding(id);
    if (!f) throw new AppError('VIGIL_ERR_NOT_FOUND', `no finding ${id}`);
    const next = setByPerson(f, change, this.deps.clock.now(), this.policy);
    await this.deps.store.commit({ assets: [], findings: [next] });
    return next;
  }
}

function showsAnything(r: HostScanResult): boolean {
  return r.ports.some((p) => p.state === 'open') || (r.checks?.length ?? 0) > 0 || r.hostname !== undefined || r.netbiosName !== undefined
    || r.dnsName !== undefined || r.os !== undefined || (r.endpoints?.length ?? 0) > 0;
}

/** How a reason names an asset: its first name, else its first address, else its id. */
function labelOf(a: Asset): string {
  const v = assetView(a);
  return v.names[0] ?? v.addresses[0] ?? a.id;
}

function markOf(a: Alert, address: string): CompromiseMark {
  return { alertId: a.id, rule: `${a.detector}/${a.rule}`, severity: a.severity, ts: a.ts, address, cves: a.cves.slice(0, 32) };
}

function vulnFacts(vulnId: string, rec: KbVulnerabilityRecord | undefined): VulnFacts {
  if (!rec) return { vulnId, kev: false };
  const cvss = searchKeys(rec).cvssMax;
  return {
    vulnId, kev: rec.kev !== undefined,
    ...(rec.title !== undefined ? { title: rec.title } : {}),
    ...(cvss !== undefined ? { cvss } : {}),
    ...(rec.epss ? { epss: rec.epss.score } : {}),
    ...(rec.kev?.dueDate !== undefined ? { kevDueDate: rec.kev.dueDate } : {}),
  };
}

/** The vendor fixes (KB numbers) the knowledge base names for the vulnerability, installed on the asset. */
function hotfixObservation(asset: Asset, rec: KbVulnerabilityRecord | undefined): Observation | undefined {
  if (!rec) return undefined;
  const fixes = new Set(rec.remedies.filter((r) => r.category === 'vendor_fix' && r.id !== undefined).map((r) => r.id!.toUpperCase()));
  const fact = asset.facts.filter((f) => f.kind === 'hotfix' && fixes.has(f.value)).sort((x, y) => y.lastSeen - x.lastSeen)[0];
  if (!fact) return undefined;
  return { at: fact.lastSeen, kind: 'hotfix', says: 'fixed', strength: 'strong', source: fact.source, detail: `hotfix ${fact.value} installed (reported by ${fact.source})` };
}

function cpeObservation(asset: Asset, m: HostMatch | undefined): Observation | undefined {
  if (!m) return undefined;
  const seen = Math.max(0, ...asset.facts.filter((f) => f.kind === 'cpe' && f.value === m.cpe).map((f) => f.lastSeen));
  return { at: seen || asset.lastSeen, kind: 'cpe', says: 'vulnerable', strength: 'weak', source: 'kb', detail: `${m.cpe} affected (${m.basis})` };
}

/** Knowledge-base reads memoised for one ingest: many hosts share the same CPE set and CVEs. */
class KbMemo {
  private readonly byCpes = new Map<string, HostMatch[]>();
  private readonly records = new Map<string, KbVulnerabilityRecord | undefined>();
  private readonly vulnFacts = new Map<string, VulnFacts>();

  constructor(private readonly kb: KbStorePort) {}

  async matches(cpes: readonly string[]): Promise<HostMatch[]> {
    // A CPE naming no vendor or product (nmap sometimes writes cpe:/a:vendor) cannot be matched.
    const usable = cpes.filter((c) => { try { vendorProductKey(c); return true; } catch { return false; } });
    if (usable.length === 0) return [];
    const key = usable.join('\n');
    let m = this.byCpes.get(key);
    if (!m) {
      m = await vulnerabilitiesForHost(this.kb, usable);
      this.byCpes.set(key, m);
    }
    return m;
  }

  facts(id: string, rec: KbVulnerabilityRecord | undefined): VulnFacts {
    let f = this.vulnFacts.get(id);
    if (!f) {
      f = vulnFacts(id, rec);
      this.vulnFacts.set(id, f);
    }
    return f;
  }

  async record(id: string): Promise<KbVulnerabilityRecord | undefined> {
    if (!this.records.has(id)) this.records.set(id, await this.kb.getVulnerability(id));
    return this.records.get(id);
  }
}
