// Signing in and posting forms through app.inject, shared by the dashboard's inject tests.

import assert from 'node:assert/strict';
import { TOKEN, type DashboardFixture } from './dashboard-fixture.js';

export const bearer = { authorization: `Bearer ${TOKEN}` };

/** Sign in through the form; returns the cookie header and the page's CSRF token. */
export async function signIn(f: DashboardFixture, name = 'Ana Analyst', password = TOKEN): Promise<{ cookie: string; csrf: string }> {
  const r = await f.app.inject({ method: 'POST', url: '/login', payload: enc({ password, name, next: '/alerts' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.statusCode, 303, r.body);
  const set = String(r.headers['set-cookie']);
  const cookie = /^(vigil_session=[^;]+)/.exec(set)?.[1];
  assert.ok(cookie, set);
  const page = await f.app.inject({ url: '/', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, 'the page carries a CSRF token');
  return { cookie, csrf };
}

/** light-my-request sends an object payload as JSON whatever the content type: encode forms ourselves
 * (an array value becomes a repeated field, as a browser sends checked boxes). */
export const enc = (o: Record<string, string | readonly string[]>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const x of typeof v === 'string' ? [v] : v) q.append(k, x);
  return q.toString();
};

export const form = (cookie: string, extra: Record<string, string> = {}) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded', ...extra });
