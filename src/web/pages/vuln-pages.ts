// Vulnerabilities: search the knowledge base (text, CVE, alias such as MS03-026, vendor/product,
// KEV, EPSS, CVSS) and one vulnerability with its timeline, products, scores, the attempts the
// sensors saw against it (its alerts), and its discussion thread.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { VulnQuery } from '../../model/kb-records.js';
import { isoDay } from '../../exposure/finding-policy.js';
import { mayWrite } from '../web-sessions.js';
import { assetLabels } from './exposure-page.js';
import type { WebContext } from '../web-context.js';

interface SearchQuery { q?: string; vendor?: string; product?: string; kev?: 'yes' | ''; cvssAbove?: number; epssAbove?: number; offset?: number }

const PAGE = 50;
/** Unresolved findings listed on a vulnerability's page; the rest are one link away. */
const FINDINGS_SHOWN = 10;

export function vulnRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get<{ Querystring: SearchQuery }>('/vulns', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          q: { type: 'string', maxLength: 200 }, vendor: { type: 'string', maxLength: 100 }, product: { type: 'string', maxLength: 100 },
          kev: { type: 'string', enum: ['yes', ''] }, cvssAbove: { type: 'number', minimum: 0, maximum: 10 }, epssAbove: { type: 'number', minimum: 0, maximum: 1 },
          offset: { type: 'integer', minimum: 0, maximum: 100_000, default: 0 },
        },
      },
    },
  }, async (request, reply) => {
    const kb = ctx.deps.kb;
    const f = request.query;
    const text = f.q?.trim() ?? '';
    // An id or an alias the KB knows (CVE-2003-0352, MS03-026) goes straight to its page.
    if (kb && /^[A-Za-z0-9#._-]{3,40}$/.test(text) && /\d/.test(text)) {
      const hit = await kb.getVulnerability(text);
      if (hit) return reply.redirect(`/vulns/${encodeURIComponent(hit.id)}`, 303);
    }
    const q: VulnQuery = {
      ...(text.length >= 2 ? { text } : {}), ...(f.vendor ? { vendor: f.vendor } : {}), ...(f.product ? { product: f.product } : {}),
      ...(f.kev === 'yes' ? { kev: true } : {}), ...(f.cvssAbove !== undefined ? { cvssAbove: f.cvssAbove } : {}),
      ...(f.epssAbove !== undefined ? { epssAbove: f.epssAbove } : {}), limit: PAGE, offset: f.offset ?? 0,
    };
    const result = kb ? await kb.searchVulns(q) : { total: 0, items: [] };
    return ctx.pages.send(request, reply, 'vulns', 'vulns', 'Vulnerabilities', { result, filters: f, offset: f.offset ?? 0, pageSize: PAGE, hasKb: kb !== undefined, fragment: 'vulns-table' });
  });

  app.get<{ Params: { id: string } }>('/vulns/:id', {
    schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 3, maxLength: 40, pattern: '^[A-Za-z0-9#._-]+$' } } } },
  }, async (request, reply) => {
    const v = await ctx.deps.kb?.getVulnerability(request.params.id);
    if (!v) throw new AppError('VIGIL_ERR_NOT_FOUND', `no vulnerability ${request.params.id}`);
    if (v.id !== request.params.id) return reply.redirect(`/vulns/${encodeURIComponent(v.id)}`, 303);
    const exposure = ctx.deps.exposure;
    const today = isoDay(ctx.deps.clock.now());
    const [alerts, thread, findings] = await Promise.all([
      ctx.deps.alerts.listAlerts({ cve: v.id, limit: 200 }), ctx.deps.comments.listComments('vuln', v.id),
      // the assets that have it: unresolved findings, overdue first, as the exposure page orders them
      exposure?.store.listFindings({ vulnId: v.id, status: ['open', 'reopened'], overdueFirstOn: today, limit: FINDINGS_SHOWN }),
    ]);
    const sources = new Set(alerts.map((a) => a.src).filter((s) => s !== undefined));
    const labels = exposure && findings ? await assetLabels(exposure, findings.items) : new Map<string, string>();
    return ctx.pages.send(request, reply, 'vuln', 'vulns', v.id, {
      v, alerts, sourceCount: sources.size, thread, exposureOn: exposure !== undefined, findings: findings?.items ?? [], findingTotal: findings?.total ?? 0, labels, today, canWrite: request.webUser !== undefined && mayWrite(request.webUser),
      subject: 'vuln', subjectId: v.id,
      timeline: [...v.timeline].sort((a, b) => a.date.localeCompare(b.date)),
    });
  });
}
