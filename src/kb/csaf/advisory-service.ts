// Advisory lifecycle over the KB store: draft from KB records, edit, publish (only when strict schema and
// every mandatory CSAF test pass), and the provider directory of what is published.

import { AppError } from '../../core/errors.js';
import type { AdvisoryRecord, KbVulnerabilityRecord } from '../../model/kb-records.js';
import type { KbStorePort } from '../kb-store-port.js';
import { buildAdvisory, editAdvisory, publishAdvisory, type CsafDocument, type Tlp } from './csaf-writer.js';
import { loadCweNames, validateCsaf, type CsafValidation } from './csaf-validator.js';
import { buildProviderDirectory, type ProviderDirectory, type ProviderOptions } from './csaf-provider.js';

export interface DraftRequest {
  readonly trackingId: string;
  readonly title: string;
  readonly summary: string;
  readonly cves: readonly string[];
  readonly publisher: { readonly name: string; readonly namespace: string };
  readonly tlp?: Tlp;
  readonly baseUrl?: string;
}

function toRecord(doc: CsafDocument): AdvisoryRecord {
  const t = doc.document.tracking;
  const tlp = (doc.document.distribution as { tlp?: { label?: string } } | undefined)?.tlp?.label;
  return {
    trackingId: t.id, version: t.version, status: t.status, title: String(doc.document.title),
    initialReleaseDate: t.initial_release_date, currentReleaseDate: t.current_release_date, tlp, document: doc,
  };
}

/** Throws VIGIL_ERR_VALIDATION listing the failed tests when the document is not valid. */
export function assertValid(v: CsafValidation, what: string): void {
  if (v.valid) return;
  const failed = v.tests.filter((t) => !t.isValid).map((t) => `${t.id}: ${t.errors.slice(0, 3).map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
  throw new AppError('VIGIL_ERR_VALIDATION', `${what} failed CSAF validation: ${failed.join(' | ')}`, { failed });
}

export class AdvisoryService {
  constructor(private readonly store: KbStorePort, private readonly now: () => string = () => new Date().toISOString()) {}

  private async records(cves: readonly string[]): Promise<KbVulnerabilityRecord[]> {
    const out: KbVulnerabilityRecord[] = [];
    for (const id of cves) {
      const r = await this.store.getVulnerability(id);
      if (!r) throw new AppError('VIGIL_ERR_NOT_FOUND', `${id} is not in the knowledge base (import it or load the starter data first)`);
      out.push(r);
    }
    return out;
  }

  async draft(req: DraftRequest): Promise<CsafDocument> {
    if (await this.store.getAdvisory(req.trackingId)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `advisory ${req.trackingId} exists; use edit`);
    const doc = buildAdvisory({
      trackingId: req.trackingId, title: req.title, summary: req.summary, tlp: req.tlp, baseUrl: req.baseUrl,
      publisher: { ...req.publisher, category: 'coordinator' }, vulnerabilities: await this.records(req.cves),
      now: this.now(), cweNames: await loadCweNames(),
    });
    assertValid(await validateCsaf(doc, { optional: false }), `draft ${req.trackingId}`);
    await this.store.putAdvisory(toRecord(doc));
    return doc;
  }

  private async load(trackingId: string): Promise<CsafDocument> {
    const a = await this.store.getAdvisory(trackingId);
    if (!a) throw new AppError('VIGIL_ERR_NOT_FOUND', `no advisory ${trackingId}`);
    return a.document as CsafDocument;
  }

  async edit(trackingId: string, change: { title?: string; summary?: string }, revisionSummary: string): Promise<CsafDocument> {
    const doc = editAdvisory(await this.load(trackingId), (d) => {
      if (change.title) d.document.title = change.title;
      if (change.summary) d.document.notes = [{ category: 'summary', text: change.summary, title: 'Summary' }];
    }, this.now(), revisionSummary);
    assertValid(await validateCsaf(doc, { optional: false }), `edit of ${trackingId}`);
    await this.store.putAdvisory(toRecord(doc));
    return doc;
  }

  async publish(trackingId: string): Promise<{ doc: CsafDocument; validation: CsafValidation }> {
    const doc = publishAdvisory(await this.load(trackingId), this.now());
    const validation = await validateCsaf(doc);
    assertValid(validation, `advisory ${trackingId}`);
    await this.store.putAdvisory(toRecord(doc));
    return { doc, validation };
  }

  async directory(opts: ProviderOptions): Promise<ProviderDirectory> {
    const all = await this.store.listAdvisories();
    return buildProviderDirectory(all.map((a) => a.document as CsafDocument), opts);
  }
}
