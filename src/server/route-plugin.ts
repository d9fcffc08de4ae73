// The contract for resource plugins written outside the app factory (vulnerabilities, advisories,
// CSAF, alerts): kept apart from app.ts so a plugin importing it never forms an import cycle.

import type { FastifyPluginAsync } from 'fastify';

export const API_PREFIX = '/api/v1';

/** A resource plugin mounted under its prefix, behind the bearer-token check. */
export interface RoutePlugin {
  /** e.g. `/api/v1/vulns`. */
  readonly prefix: string;
  readonly plugin: FastifyPluginAsync;
}
