// Security headers on every response of the app (OWASP Secure Headers): the API serves attacker-
// influenced text (advisory HTML, CSAF documents, session bytes as hex) that a browser may open.

import type { FastifyInstance } from 'fastify';

/** Nothing we serve needs scripts, frames or third-party content; the advisory HTML has no styles or
 * images of its own, so 'self' for those is only room to grow. JSON, XML and text get it too: a
 * browser that renders them anyway runs nothing. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  // Without it a browser may sniff a JSON or text body holding attacker bytes as HTML.
  'x-content-type-options': 'nosniff',
  // For browsers that predate frame-ancestors.
  'x-frame-options': 'DENY',
  // Advisory links would otherwise tell third parties which node and advisory a reader came from.
  'referrer-policy': 'no-referrer',
};

export function installSecurityHeaders(app: FastifyInstance): void {
  // onSend runs for every reply, including 401s from the auth hook, 404s and errors.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(HEADERS);
    return payload;
  });
}
