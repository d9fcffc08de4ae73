// TAXII 2.1 over HTTP (OASIS TAXII 2.1 sections 3-5): the endpoints of share's TaxiiService under a
// configurable prefix (default /taxii2), media type application/taxii+json;version=2.1, its own
// authentication (the API token, or a TAXII user's token as Bearer or HTTP Basic password), TAXII
// error messages, the X-TAXII-Date-Added-First/Last headers, and bodies bounded by maxContentBytes.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { TAXII_MEDIA_TYPE } from '../../share/taxii/taxii-limits.js';
import { parsePageRequest, TaxiiError } from '../../share/taxii/taxii-request.js';
import type { TaxiiPrincipal, TaxiiService } from '../../share/taxii/taxii-service.js';
import type { RoutePlugin } from '../route-plugin.js';

/** A TAXII user from configuration: a name, a token of at least 16 characters, and collection aliases. */
export interface TaxiiUser extends TaxiiPrincipal {
  readonly token: string;
}

export interface TaxiiRouteDeps {
  readonly service: TaxiiService;
  /** Path the server lives under, e.g. `/taxii2`. */
  readonly prefix: string;
  /** Base URL partners use (discovery names API roots by absolute URL); default from the Host header. */
  readonly publicUrl?: string;
  /** The node's API token: its holder is the `admin` principal, who may read and write everything. */
  readonly apiToken: () => string;
  readonly users: readonly TaxiiUser[];
}

const ADMIN = (): TaxiiPrincipal => ({ name: 'admin', read: ['*'], write: ['*'] });
const sha = (s: string): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(sha(a), sha(b));

/** The principal an Authorization header proves, or undefined. Every candidate is compared (constant
 * time per token), so timing does not tell which user name exists. */
export function principalOf(header: string | undefined, deps: Pick<TaxiiRouteDeps, 'apiToken' | 'users'>): TaxiiPrincipal | undefined {
  if (header === undefined || header.length > 4096) return undefined;
  let name: string | undefined;
  let secret: string;
  const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (bearer) secret = bearer[1]!;
  else if (basic) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return undefined;
    name = text.slice(0, colon);
    secret = text.slice(colon + 1);
  } else return undefined;
  let found: TaxiiPrincipal | undefined;
  if (same(secret, deps.apiToken()) && (name === undefined || name === 'admin')) found = ADMIN();
  for (const u of deps.users) {
    if (same(secret, u.token) && (name === undefined || name === u.name)) found ??= { name: u.name, read: u.read, write: u.write };
  }
  return found;
}

/** Accept must allow the TAXII media type (section 1.6.8); absent or a wildcard is taken as yes. */
function acceptable(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const m = part.trim().toLowerCase().replace(/\s+/g, '');
    return m.startsWith('*/*') || m.startsWith('application/*') || m === 'application/taxii+json' || m.startsWith('application/taxii+json;version=2.1');
  });
}

function sendError(reply: FastifyReply, e: TaxiiError): FastifyReply {
  if (e.httpStatus === 401) reply.header('www-authenticate', 'Basic realm="taxii", Bearer realm="taxii"');
  return reply.code(e.httpStatus).type(TAXII_MEDIA_TYPE).send({ title: e.title, ...(e.description ? { description: e.description } : {}), http_status: String(e.httpStatus) });
}

interface Params { root: string; cid: string; oid: string; sid: string }

export function taxiiRoutes(deps: TaxiiRouteDeps): FastifyPluginAsync {
  const svc = deps.service;
  return async (app: FastifyInstance) => {
    // The TAXII media types parse as JSON here only (this plugin's encapsulated context).
    app.addContentTypeParser('application/taxii+json', { parseAs: 'string', bodyLimit: svc.limits.maxContentBytes }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string) as unknown);
      } catch {
        done(new TaxiiError(400, 'Body is not JSON'), undefined);
      }
    });
    app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      if (error instanceof TaxiiError) return sendError(reply, error);
      const code = (error as { code?: string }).code;
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, new TaxiiError(413, 'Request too large', `at most ${svc.limits.maxContentBytes} bytes`));
      if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, new TaxiiError(415, 'Unsupported media type', `send ${TAXII_MEDIA_TYPE}`));
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, 'taxii request failed');
      return sendError(reply, new TaxiiError(status, status === 500 ? 'Internal error' : 'Bad request'));
    });
    const principals = new WeakMap<FastifyRequest, TaxiiPrincipal>();
    app.addHook('onRequest', async (request, reply) => {
      const who = principalOf(request.headers.authorization, deps);
      if (!who) return sendError(reply, new TaxiiError(401, 'Unauthorized', 'send the API token or a TAXII user token (Bearer, or HTTP Basic password)'));
      if (!acceptable(request.headers.accept)) return sendError(reply, new TaxiiError(406, 'Not acceptable', `this server speaks ${TAXII_MEDIA_TYPE}`));
      principals.set(request, who);
    });
    // Fastify rewrites a JSON-ish type as `...; version="2.1"; charset=utf-8`; TAXII clients compare
    // the exact media type of section 1.6.8, so it is set last, after serialisation.
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-type', TAXII_MEDIA_TYPE);
      return payload;
    });
    const who = (r: FastifyRequest): TaxiiPrincipal => principals.get(r)!;
    const root = (r: FastifyRequest<{ Params: Partial<Params> }>): void => {
      if (r.params.root !== svc.apiRootName) throw new TaxiiError(404, 'No such API root', r.params.root?.slice(0, 80));
    };
    const page = (r: FastifyRequest) => parsePageRequest(r.query as Record<string, unknown>, svc.limits, r.url.length - r.url.indexOf('?'));
    const withDates = (reply: FastifyReply, res: { body: Record<string, unknown>; first?: string; last?: string }) => {
      if (res.first) reply.header('X-TAXII-Date-Added-First', res.first).header('X-TAXII-Date-Added-Last', res.last);
      return res.body;
    };
    const cfg = { config: { public: true }, schema: { tags: ['taxii'], hide: true } } as const;
    const base = (deps.publicUrl ?? '').replace(/\/+$/, '');

    app.get('/', { ...cfg, schema: { ...cfg.schema, description: 'TAXII 2.1 discovery' } }, async (r) => {
      return svc.discovery(`${base || `${r.protocol}://${r.host}`}${deps.prefix}`);
    });
    app.get<{ Params: Params }>('/:root/', cfg, async (r) => (root(r), svc.apiRootInfo()));
    app.get<{ Params: Params }>('/:root/status/:sid/', cfg, async (r) => (root(r), svc.status(r.params.sid, who(r))));
    app.get<{ Params: Params }>('/:root/collections/', cfg, async (r) => {
      root(r);
      const collections = svc.listCollections(who(r));
      return collections.length ? { collections } : {};
    });
    app.get<{ Params: Params }>('/:root/collections/:cid/', cfg, async (r) => (root(r), svc.collection(r.params.cid, who(r))));
    app.get<{ Params: Params }>('/:root/collections/:cid/objects/', cfg, async (r, reply) => (root(r), withDates(reply, svc.objects(r.params.cid, who(r), page(r)))));
    app.post<{ Params: Params }>('/:root/collections/:cid/objects/', { ...cfg, bodyLimit: svc.limits.maxContentBytes }, async (r, reply) => {
      root(r);
      const type = (r.headers['content-type'] ?? '').toLowerCase().replace(/\s+/g, '');
      if (!type.startsWith('application/taxii+json')) throw new TaxiiError(415, 'Unsupported media type', `send ${TAXII_MEDIA_TYPE}`);
      return reply.code(202).send(svc.addEnvelope(r.params.cid, who(r), r.body));
    });
    app.get<{ Params: Params }>('/:root/collections/:cid/objects/:oid/', cfg, async (r, reply) => (root(r), withDates(reply, svc.objects(r.params.cid, who(r), page(r), r.params.oid))));
    app.delete<{ Params: Params }>('/:root/collections/:cid/objects/:oid/', cfg, async (r) => {
      root(r);
      svc.deleteObject(r.params.cid, who(r), r.params.oid, page(r).filter);
      return {};
    });
    app.get<{ Params: Params }>('/:root/collections/:cid/objects/:oid/versions/', cfg, async (r, reply) => (root(r), withDates(reply, svc.versions(r.params.cid, who(r), page(r), r.params.oid))));
    app.get<{ Params: Params }>('/:root/collections/:cid/manifest/', cfg, async (r, reply) => (root(r), withDates(reply, svc.manifest(r.params.cid, who(r), page(r)))));
  };
}

export function taxiiPlugin(deps: TaxiiRouteDeps): RoutePlugin {
  return { prefix: deps.prefix, plugin: taxiiRoutes(deps) };
}
