// /api/v1/scans: the scheduled rescans of the node (scan.* keys), newest first, and POST to start one
// now (202; one runs at a time; 404 when none are configured). Their results reach /api/v1/assets and /api/v1/findings.

import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { ScanRun } from '../../model/scan.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import { authErrors } from '../schemas.js';

export interface ScanRouteDeps {
  /** Undefined when no rescans are configured. */
  readonly schedule: { list(): readonly ScanRun[]; runNow(): Promise<void> } | undefined;
}

const int = { type: 'integer' } as const;
const scanRunSchema = {
  type: 'object',
  required: ['id', 'startedAt', 'targets', 'ports', 'checks', 'state'],
  properties: {
    id: { type: 'string' }, startedAt: int, finishedAt: int, state: { type: 'string', enum: ['running', 'done', 'failed'] },
    targets: { type: 'array', items: { type: 'string' } }, ports: { type: 'array', items: int }, checks: { type: 'array', items: { type: 'string' } },
    hostsUp: int, hostsTotal: int, error: { type: 'string' },
    assetsCreated: int, assetsUpdated: int, findingsOpened: int, findingsFixed: int, findingsReopened: int,
  },
} as const;

function scanRoutes(deps: ScanRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', {
      schema: {
        description: 'Scheduled rescans, newest first (the last 50)', tags: ['exposure'],
        response: { 200: { type: 'object', required: ['configured', 'items'], properties: { configured: { type: 'boolean' }, items: { type: 'array', items: scanRunSchema } } }, ...authErrors },
      },
    }, async () => ({ configured: deps.schedule !== undefined, items: deps.schedule?.list() ?? [] }));

    app.post('/', {
      schema: {
        description: 'Start a rescan of the configured targets now (one at a time)', tags: ['exposure'],
        response: { 202: { type: 'object', required: ['started'], properties: { started: { type: 'boolean' } } }, 404: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (_request, reply) => {
      if (!deps.schedule) throw new AppError('VIGIL_ERR_NOT_FOUND', 'no rescans configured (set scan.targets and scan.intervalMinutes)');
      void deps.schedule.runNow();
      return reply.code(202).send({ started: true });
    });
  };
}

export function scanRoutePlugin(deps: ScanRouteDeps): RoutePlugin {
  return { prefix: `${API_PREFIX}/scans`, plugin: scanRoutes(deps) };
}
