// Alerts: a filtered list (htmx swaps only the table as the filters change) and one alert with its
// evidence, links to its session, its source's other activity and its vulnerabilities, the
// acknowledgement, and its discussion thread.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { AlertQuery } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { mayWrite } from '../web-sessions.js';
import type { WebContext } from '../web-context.js';

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

interface ListQuery {
  detector?: string; rule?: string; src?: string; cve?: string; minSeverity?: Severity; status?: 'open' | 'acknowledged' | 'all'; limit?: number;
  assignee?: string; escalated?: 'yes' | '';
}

/** A user name as the users table allows it; '' unassigns. */
const ASSIGNEE = { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9._@-]*$' } as const;

export const alertIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{8,64}$' } } } as const;

export function alertRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get<{ Querystring: ListQuery }>('/alerts', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          detector: { type: 'string', maxLength: 40 }, rule: { type: 'string', maxLength: 80 }, src: { type: 'string', maxLength: 45 },
          cve: { type: 'string', maxLength: 64 }, minSeverity: { type: 'string', enum: [...SEVERITIES, ''] },
          status: { type: 'string', enum: ['open', 'acknowledged', 'all'], default: 'open' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          assignee: ASSIGNEE, escalated: { type: 'string', enum: ['yes', ''] },
        },
      },
    },
  }, async (request, reply) => {
    const f = request.query;
    const q: AlertQuery = {
      ...(f.detector ? { detector: f.detector } : {}), ...(f.rule ? { rule: f.rule } : {}), ...(f.src ? { src: f.src } : {}),
      ...(f.minSeverity ? { minSeverity: f.minSeverity } : {}),
      ...(f.status === 'open' ? { acknowledged: false } : f.status === 'acknowledged' ? { acknowledged: true } : {}),
      ...(f.assignee ? { assignee: f.assignee } : {}), ...(f.escalated === 'yes' ? { escalated: true } : {}),
      limit: f.limit ?? 200,
    };
    let cve = f.cve?.trim() || undefined;
    // Aliases (MS03-026) work as on the vulnerability pages.
    if (cve !== undefined && !/^CVE-/i.test(cve) && ctx.deps.kb) cve = (await ctx.deps.kb.getVulnerability(cve))?.id ?? cve;
    const alerts = await ctx.deps.alerts.listAlerts(cve !== undefined ? { ...q, cve: cve.toUpperCase() } : q);
    const comments = await ctx.deps.comments.countComments('alert', alerts.map((a) => a.id));
    return ctx.pages.send(request, reply, 'alerts', 'alerts', 'Alerts', {
      alerts, comments, filters: { ...f, status: f.status ?? 'open' }, severities: SEVERITIES, limit: q.limit, fragment: 'alerts-table',
    });
  });

  app.get<{ Params: { id: string } }>('/alerts/:id', { schema: { params: alertIdParams } }, async (request, reply) => {
    const alert = await ctx.deps.alerts.getAlert(request.params.id);
    if (!alert) throw new AppError('VIGIL_ERR_NOT_FOUND', `no alert ${request.params.id}`);
    const [thread, related] = await Promise.all([
      ctx.deps.comments.listComments('alert', alert.id),
      alert.src !== undefined ? ctx.deps.alerts.listAlerts({ src: alert.src, limit: 20 }) : Promise.resolve([]),
    ]);
    const vulns = await Promise.all(alert.cves.map(async (id) => ({ id, title: (await ctx.deps.kb?.getVulnerability(id))?.title })));
    return ctx.pages.send(request, reply, 'alert', 'alerts', alert.title.slice(0, 120), {
      alert, thread, related: related.filter((a) => a.id !== alert.id), vulns,
      canWrite: request.webUser !== undefined && mayWrite(request.webUser),
      subject: 'alert', subjectId: alert.id, back: `/alerts/${alert.id}`,
    });
  });

  app.post<{ Params: { id: string } }>('/alerts/:id/ack', { schema: { params: alertIdParams } }, async (request, reply) => {
    const user = request.webUser;
    if (!user || !mayWrite(user)) return reply.code(403).type('text/plain').send('your role may not acknowledge alerts');
    const ok = await ctx.deps.alerts.acknowledge(request.params.id, user.name, ctx.deps.clock.now());
    if (!ok) throw new AppError('VIGIL_ERR_NOT_FOUND', `no alert ${request.params.id}`);
    if (request.headers['hx-request'] === 'true') {
      const alert = await ctx.deps.alerts.getAlert(request.params.id);
      return ctx.pages.send(request, reply, 'alert-ack', 'alerts', 'Acknowledged', { alert, canWrite: true, fragment: 'alert-ack' });
    }
    return reply.redirect(`/alerts/${request.params.id}`, 303);
  });

  app.post<{ Params: { id: string }; Body: { assignee?: string } }>('/alerts/:id/assign', {
    schema: { params: alertIdParams, body: { type: 'object', properties: { assignee: ASSIGNEE, _csrf: { type: 'string' } } } },
  }, async (request, reply) => {
    const user = request.webUser;
    if (!user || !mayWrite(user)) return reply.code(403).type('text/plain').send('your role may not assign alerts');
    const who = request.body?.assignee?.trim() ?? '';
    const ok = await ctx.deps.alerts.assign(request.params.id, who === '' ? undefined : who, user.name, ctx.deps.clock.now());
    if (!ok) throw new AppError('VIGIL_ERR_NOT_FOUND', `no alert ${request.params.id}`);
    return reply.redirect(`/alerts/${request.params.id}`, 303);
  });

  app.post<{ Params: { id: string } }>('/alerts/:id/escalate', { schema: { params: alertIdParams } }, async (request, reply) => {
    const user = request.webUser;
    if (!user || !mayWrite(user)) return reply.code(403).type('text/plain').send('your role may not escalate alerts');
    if (await ctx.deps.alerts.escalate(request.params.id, user.name, ctx.deps.clock.now())) {
      const alert = await ctx.deps.alerts.getAlert(request.params.id);
      if (alert) ctx.deps.onEscalated?.(alert);
    } else if (!(await ctx.deps.alerts.getAlert(request.params.id))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no alert ${request.params.id}`);
    return reply.redirect(`/alerts/${request.params.id}`, 303);
  });
}
