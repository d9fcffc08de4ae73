// Maps errors to HTTP answers in Fastify's error shape: validation and bad arguments -> 400,
// not found -> 404, anything else -> 500 with a generic message (details go to the log, not the peer).

import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { isAppError } from '../core/errors.js';

const PART: Readonly<Record<string, string>> = { querystring: 'query parameter', params: 'path parameter', body: 'body field', headers: 'header' };

/**
 * Fastify's schemaErrorFormatter: each error names the parameter as the client wrote it
 * (`limit: must be <= 1000`, `bogus: unknown query parameter`) instead of Ajv's
 * `querystring/limit ...` or `querystring must NOT have additional properties`, which names nothing.
 */
export function formatValidationErrors(errors: readonly FastifySchemaValidationError[], dataVar: string): Error {
  const where = PART[dataVar] ?? dataVar;
  const parts = errors.map((e) => {
    const p = e.params as Record<string, unknown>;
    const name = typeof p.additionalProperty === 'string' ? p.additionalProperty
      : typeof p.missingProperty === 'string' ? p.missingProperty
      : e.instancePath.replace(/^\//, '').replace(/\//g, '.') || dataVar;
    const what = e.keyword === 'additionalProperties' ? `unknown ${where}`
      : e.keyword === 'required' ? `missing ${where}`
      : e.keyword === 'enum' && Array.isArray(p.allowedValues) ? `must be one of ${p.allowedValues.join(', ')}`
      : e.message ?? e.keyword;
    return `${name}: ${what}`;
  });
  return new Error(parts.join('; '));
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.code(400).send({ statusCode: 400, code: 'VIGIL_ERR_BAD_ARGUMENT', error: 'Bad Request', message: error.message });
    }
    if (isAppError(error, 'VIGIL_ERR_BAD_ARGUMENT')) {
      return reply.code(400).send({ statusCode: 400, code: error.code, error: 'Bad Request', message: error.message });
    }
    if (isAppError(error, 'VIGIL_ERR_NOT_FOUND')) {
      return reply.code(404).send({ statusCode: 404, code: error.code, error: 'Not Found', message: error.message });
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({
      statusCode: status,
      code: status === 500 ? 'VIGIL_ERR_INTERNAL' : (error.code ?? 'VIGIL_ERR_BAD_ARGUMENT'),
      error: status === 500 ? 'Internal Server Error' : 'Bad Request',
      message: status === 500 ? 'internal error' : error.message,
    });
  });
}
