// /api/v1/alerts: stored alerts, filtered (time, detector, rule, source, CVE, severity,
// acknowledged), one alert, and acknowledgement. Reads through detect's AlertRepository interface.

import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { AlertRepository } from '../../detect/alert-store-port.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import type { AlertRecord } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { authErrors, timeParam } from '../schemas.js';
import { parseTimeArg } from '../time-param.js';

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
const str = { type: 'string' } as const;

export const alertSchema = {
  $id: 'Alert',
  type: 'object',
  required: ['id', 'ts', 'time', 'detector', 'rule', 'severity', 'title', 'cves', 'evidence', 'indicators', 'dedupKey', 'acknowledged'],
  properties: {
    id: str, ts: { type: 'number' }, time: str, detector: str, rule: str, severity: { type: 'string', enum: SEVERITIES }, title: str,
    cves: { type: 'array', items: str }, src: str, dport: { type: 'integer' }, session: str,
    evidence: { type: 'object', additionalProperties: true },
    indicators: { type: 'array', items: { type: 'object', required: ['type', 'value'], properties: { type: str, value: str } } },
    dedupKey: str, acknowledged: { type: 'boolean' }, ackBy: str, ackAt: { type: 'number' },
    assignee: str, assignedBy: str, assignedAt: { type: 'number' }, escalatedBy: str, escalatedAt: { type: 'number' },
  },
} as const;

interface ListQuery {
  since?: string; until?: string; detector?: string; rule?: string; src?: string; cve?: string;
  minSeverity?: Severity; acknowledged?: boolean; limit?: number; assignee?: string; escalated?: boolean;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{8,64}$' } } } as const;
const withTime = (a: AlertRecord): AlertRecord & { time: string } => ({ ...a, time: rfc3339Micro(a.ts) });

export interface AlertRouteDeps {
  readonly alerts: AlertRepository;
  readonly clock: Clock;
  /** Resolves `cve=` to a CVE id, so aliases such as MS03-026 work as in GET /vulns/{id}; without it only CVE ids match. */
  readonly resolveCve?: (idOrAlias: string) => Promise<string | undefined>;
}

export function alertRoutes(deps: AlertRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.addSchema(alertSchema);
    // An acknowledgement needs no body, and `curl -X POST -H 'content-type: application/json'` sends
    // none: in this plugin an empty JSON body is no body (otherwise Fastify's parser, prototype checks included).
    const json = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body.toString();
      if (text === '') {
        done(null, undefined);
        return;
      }
      json(request, text, done);
    });
    app.get<{ Querystring: ListQuery }>('/', {
      schema: {
        description: 'List alerts, newest first', tags: ['alerts'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            since: timeParam, until: timeParam, detector: { type: 'string', maxLength: 40 }, rule: { type: 'string', maxLength: 80 },
            src: { type: 'string', maxLength: 45 },
            cve: { type: 'string', minLength: 1, maxLength: 64, description: 'a CVE id or an alias the knowledge base knows (MS03-026)' },
            minSeverity: { type: 'string', enum: SEVERITIES }, acknowledged: { type: 'boolean' },
            assignee: { type: 'string', maxLength: 64, description: 'alerts assigned to this user (empty: unassigned ones)' }, escalated: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: 'Alert#' } } } }, 400: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request) => {
      const { since, until, cve, ...rest } = request.query;
      const now = deps.clock.now();
      const cveId = cve === undefined ? undefined : deps.resolveCve ? await deps.resolveCve(cve) : cve;
      if (cve !== undefined && cveId === undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `cve: ${cve} is neither a CVE id nor an alias the knowledge base knows`);
      const items = await deps.alerts.listAlerts({
        ...rest,
        ...(cveId !== undefined ? { cve: cveId } : {}),
        ...(since !== undefined ? { since: parseTimeArg(since, 'since', now) } : {}),
        ...(until !== undefined ? { until: parseTimeArg(until, 'until', now) } : {}),
      });
      return { items: items.map(withTime) };
    });

    app.get<{ Params: { id: string } }>('/:id', {
      schema: { description: 'One alert', tags: ['alerts'], params: idParams, response: { 200: { $ref: 'Alert#' }, 404: { $ref: 'Error#' }, ...authErrors } },
    }, async (request) => {
      const a = await deps.alerts.getAlert(request.params.id);
      if (!a) throw new AppError('VIGIL_ERR_NOT_FOUND', `no alert ${request.params.id}`);
      return withTime(a);
    });

    app.post<{ Params: { id: string }; Body: { by?: string } | undefined }>('/:id/ack', {
      schema: {
        description: 'Acknowledge an alert (the first acknowledgement is kept)', tags: ['alerts'], params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { by: { type: 'string', minLength: 1, maxLength: 100, description: 'who acknowledges (default "api")' } } },
        response: { 200: { $ref: 'Alert#' }, 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, ...authErrors },
      },
      // no body at all is an empty one: the schema then checks `{}`
      preValidation: async (request) => {
        request.body ??= {};
      },
    }, async (request) => {
      const ok = await deps.alerts.acknowledge(request.params.id, request.body?.by ?? 'api', deps.clock.now());
      const a = ok ? await deps.alerts.getAlert(request.params.id) : undefined;
      if (!a) throw new AppError('VIGIL_ERR_NOT_FOUND', `no alert ${request.params.id}`);
      return withTime(a);
    });
  };
}

/** The plugin with its prefix, as ServerDeps.routes takes it: the composition root's one line. */
export function alertRoutePlugin(deps: AlertRouteDeps): RoutePlugin {
  return { prefix: `${API_PREFIX}/alerts`, plugin: alertRoutes(deps) };
}
