// The life of one finding (asset x vulnerability): open on the first vulnerable observation, fixed
// only when a fix is observed (a patched check verdict or an installed hotfix), reopened when the
// flaw is seen again; risk-accepted and false-positive are people's decisions and stay. Pure.

import { createHash } from 'node:crypto';
import type { Finding, FindingEvidence, FindingStatus, StatusChange } from '../model/asset.js';
import { dueDateOf, priorityOf, severityOf, type DuePolicy } from './finding-policy.js';

export const MAX_EVIDENCE = 20;
export const MAX_HISTORY = 50;
export const MAX_NOTE_LENGTH = 2000;

/** What one observation says about one vulnerability on one asset. */
export interface Observation extends FindingEvidence {
  /** strong: the flaw itself was probed (scan check); weak: inferred (a CPE match). Fixes are strong. */
  readonly strength: 'strong' | 'weak';
}

/** What the knowledge base knows of the vulnerability (empty for a CVE it does not hold). */
export interface VulnFacts {
  readonly vulnId: string;
  readonly title?: string;
  readonly cvss?: number;
  readonly epss?: number;
  readonly kevDueDate?: string;
  readonly kev: boolean;
}

export interface FindingContext {
  readonly assetId: string;
  readonly vuln: VulnFacts;
  readonly owner?: string;
  readonly compromised: boolean;
  /** CVEs of the alert that marked the asset compromised. */
  readonly compromiseCves?: readonly string[];
  readonly policy: DuePolicy;
  readonly now: number;
}

export function findingId(assetId: string, vulnId: string): string {
  return createHash('sha256').update(`${assetId}\u0000${vulnId}`).digest('hex').slice(0, 16);
}

const OPEN: ReadonlySet<FindingStatus> = new Set(['open', 'reopened']);

/** The finding after `obs`, or `prev` itself when nothing changed (undefined: no finding to keep). */
export function applyObservation(prev: Finding | undefined, obs: Observation, ctx: FindingContext): Finding | undefined {
  if (!prev) return obs.says === 'vulnerable' ? openNew(obs, ctx) : undefined;
  const lastChange = prev.history[0]?.at ?? prev.firstSeen;
  // An observation older than the last status change (an old file imported late) is evidence only.
  const stale = obs.at < lastChange;
  const base = refresh(prev, ctx);
  if (obs.says === 'vulnerable') {
    const seen = { ...withEvidence(base, obs), lastSeen: Math.max(prev.lastSeen, obs.at) };
    if (prev.status === 'fixed' && !stale && (obs.strength === 'strong' || prev.closedBy === 'hotfix')) {
      return transition(seen, 'reopened', obs, ctx, { openedAt: obs.at });
    }
    // A CPE match says nothing new about a host whose fix was observed directly.
    if (prev.status === 'fixed' && obs.strength === 'weak') return sameEvidence(prev, obs) ? prev : withEvidence(base, obs);
    return seen;
  }
  if (obs.says === 'fixed' && OPEN.has(prev.status) && !stale) {
    return transition(withEvidence(base, obs), 'fixed', obs, ctx, { fixedAt: obs.at, closedBy: obs.kind === 'check' ? 'check' : 'hotfix' });
  }
  return sameEvidence(prev, obs) ? prev : withEvidence(base, obs);
}

function openNew(obs: Observation, ctx: FindingContext): Finding {
  const severity = severityOf(ctx.vuln.cvss);
  return {
    id: findingId(ctx.assetId, ctx.vuln.vulnId),
    assetId: ctx.assetId,
    vulnId: ctx.vuln.vulnId,
    ...(ctx.vuln.title !== undefined ? { title: ctx.vuln.title } : {}),
    status: 'open',
    severity,
    ...(ctx.vuln.cvss !== undefined ? { cvss: ctx.vuln.cvss } : {}),
    ...(ctx.vuln.epss !== undefined ? { epss: ctx.vuln.epss } : {}),
    ...(ctx.vuln.kevDueDate !== undefined ? { kevDueDate: ctx.vuln.kevDueDate } : {}),
    priority: priorityOf({ ...ctx.vuln, compromised: ctx.compromised, exploitedFromAsset: ctx.compromiseCves?.includes(ctx.vuln.vulnId) ?? false }),
    ...(ctx.owner !== undefined ? { owner: ctx.owner, ownerSetBy: 'inventory' as const } : {}),
    dueDate: dueDateOf(severity, obs.at, ctx.policy, ctx.vuln.kevDueDate),
    firstSeen: obs.at,
    lastSeen: obs.at,
    openedAt: obs.at,
    evidence: [strip(obs)],
    history: [{ at: obs.at, to: 'open', by: obs.source, note: obs.detail.slice(0, MAX_NOTE_LENGTH) }],
    updatedAt: ctx.now,
  };
}

/** Knowledge-base figures and priority brought up to date; the owner follows the asset's inventory owner
 * unless a person assigned one. */
export function refresh(f: Finding, ctx: Pick<FindingContext, 'vuln' | 'owner' | 'compromised' | 'compromiseCves' | 'now'>): Finding {
  const { cvss, epss, kevDueDate, title } = ctx.vuln;
  const next: Finding = {
    ...f,
    ...(title !== undefined ? { title } : {}),
    ...(cvss !== undefined ? { cvss, severity: severityOf(cvss) } : {}),
    ...(epss !== undefined ? { epss } : {}),
    ...(kevDueDate !== undefined ? { kevDueDate } : {}),
    ...(f.ownerSetBy !== 'person' && ctx.owner !== undefined ? { owner: ctx.owner, ownerSetBy: 'inventory' as const } : {}),
    priority: priorityOf({ cvss: cvss ?? f.cvss, epss: epss ?? f.epss, kev: ctx.vuln.kev || f.kevDueDate !== undefined, compromised: ctx.compromised, exploitedFromAsset: ctx.compromiseCves?.includes(f.vulnId) ?? false }),
  };
  return JSON.stringify(next.priority) === JSON.stringify(f.priority) && next.owner === f.owner && next.cvss === f.cvss && next.epss === f.epss && next.title === f.title ? f : { ...next, updatedAt: ctx.now };
}

function transition(f: Finding, to: FindingStatus, obs: Observation, ctx: FindingContext, extra: Partial<Finding>): Finding {
  const change: StatusChange = { at: obs.at, from: f.status, to, by: obs.source, note: obs.detail.slice(0, MAX_NOTE_LENGTH) };
  const { fixedAt: _f, closedBy: _c, ...rest } = f;
  const reopened = to === 'reopened' ? { ...rest, dueDate: dueDateOf(f.severity, obs.at, ctx.policy, f.kevDueDate) } : f;
  return { ...reopened, ...extra, status: to, history: [change, ...f.history].slice(0, MAX_HISTORY), updatedAt: ctx.now };
}

/** A person's change (CLI, API): status, owner and a note, recorded in the history. */
export function setByPerson(f: Finding, change: { status?: FindingStatus; owner?: string; note?: string; by: string }, now: number, policy: DuePolicy): Finding {
  let next: Finding = change.owner !== undefined ? { ...f, owner: change.owner, ownerSetBy: 'person' } : f;
  const note = change.note?.slice(0, MAX_NOTE_LENGTH);
  if (change.status !== undefined && change.status !== f.status) {
    const { fixedAt: _f, closedBy: _c, ...rest } = next;
    const base: Finding = change.status === 'fixed' ? { ...next, fixedAt: now, closedBy: 'manual' } : rest;
    const due = change.status === 'reopened' || change.status === 'open' ? { openedAt: now, dueDate: dueDateOf(f.severity, now, policy, f.kevDueDate) } : {};
    next = { ...base, ...due, status: change.status };
  }
  const ownerNote = change.owner !== undefined && change.owner !== f.owner ? `owner ${f.owner ?? '-'} -> ${change.owner}` : undefined;
  const text = [ownerNote, note].filter((x) => x !== undefined).join('; ');
  const entry: StatusChange = { at: now, from: f.status, to: next.status, by: change.by, ...(text !== '' ? { note: text } : {}) };
  return { ...next, history: [entry, ...f.history].slice(0, MAX_HISTORY), updatedAt: now };
}

function strip(o: Observation): FindingEvidence {
  return { at: o.at, kind: o.kind, says: o.says, source: o.source, detail: o.detail.slice(0, MAX_NOTE_LENGTH) };
}

function sameEvidence(f: Finding, o: Observation): boolean {
  const e = f.evidence[0];
  return e !== undefined && e.kind === o.kind && e.says === o.says && e.source === o.source && e.detail === o.detail && e.at >= o.at;
}

/** Evidence newest first; a repeat of the newest (same kind, verdict, source, detail) only moves its time. */
function withEvidence(f: Finding, o: Observation): Finding {
  const e = f.evidence[0];
  const rest = e && e.kind === o.kind && e.says === o.says && e.source === o.source && e.detail === o.detail ? f.evidence.slice(1) : f.evidence;
  return { ...f, evidence: [strip(o), ...rest].slice(0, MAX_EVIDENCE) };
}

export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'fixed', 'risk-accepted', 'false-positive', 'reopened'];
