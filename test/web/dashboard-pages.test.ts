// The dashboard through app.inject over a real SQLite store: sign-in (cookie flags, rate limit), every
// page, hostile strings escaped, CSRF on every state change, acknowledgement, comments and their bounds.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { dashboardFixture, HOSTILE, TOKEN, type DashboardFixture } from './dashboard-fixture.js';
import { bearer, enc, form, signIn } from './web-inject.js';

describe('dashboard pages', () => {
  let f: DashboardFixture;
  before(async () => {
    f = await dashboardFixture();
  });
  after(async () => f.close());

  it('sends a browser without a session to the sign-in page, which has a strict CSP', async () => {
    const r = await f.app.inject({ url: '/alerts?status=all' });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/login?next=%2Falerts%3Fstatus%3Dall');
    const login = await f.app.inject({ url: '/login' });
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /<form method="post" action="\/login">/);
    const csp = String(login.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(login.headers['x-content-type-options'], 'nosniff');
  });

  it('users sign in with their password and act by their role: a viewer reads but cannot acknowledge or comment', async () => {
    const wrong = await f.app.inject({ method: 'POST', url: '/login', remoteAddress: '192.0.2.201', payload: enc({ name: 'vera', password: f.passwords.andy }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(wrong.statusCode, 401, 'another user\'s password does not open this account');
    const viewer = await signIn(f, 'vera', f.passwords.vera);
    const page = await f.app.inject({ url: `/alerts/${f.hostileAlertId}`, headers: { cookie: viewer.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /vera · viewer/);
    assert.match(page.body, /Your role may not acknowledge alerts/);
    assert.doesNotMatch(page.body, /id="ack-button"/);
    assert.doesNotMatch(page.body, /class="comment-form"/);
    const ack = await f.app.inject({ method: 'POST', url: `/alerts/${f.hostileAlertId}/ack`, headers: form(viewer.cookie), payload: enc({ _csrf: viewer.csrf }) });
    assert.equal(ack.statusCode, 403);
    const say = await f.app.inject({ method: 'POST', url: '/comments', headers: form(viewer.cookie), payload: enc({ subject: 'alert', subjectId: f.hostileAlertId, body: 'hi', _csrf: viewer.csrf }) });
    assert.equal(say.statusCode, 403);
    assert.equal((await f.alerts.getAlert(f.hostileAlertId))?.acknowledged, false);
    const analyst = await signIn(f, 'andy', f.passwords.andy);
    assert.match((await f.app.inject({ url: `/alerts/${f.hostileAlertId}`, headers: { cookie: analyst.cookie } })).body, /id="ack-button"/);
  });

  it('signs in with the API token: session cookie HttpOnly and SameSite=Strict; a wrong token is refused, then rate limited', async () => {
    const bad = (ip: string) => f.app.inject({ method: 'POST', url: '/login', remoteAddress: ip, payload: enc({ password: 'wrong-token', name: 'Eve' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const first = await bad('192.0.2.200');
    assert.equal(first.statusCode, 401);
    assert.match(first.body, /Wrong user name or password/);
    for (let i = 0; i < 4; i++) await bad('192.0.2.200');
    const limited = await bad('192.0.2.200');
    assert.equal(limited.statusCode, 429);
    const right = await f.app.inject({ method: 'POST', url: '/login', remoteAddress: '192.0.2.200', payload: enc({ password: TOKEN, name: 'Eve' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(right.statusCode, 429, 'the limit holds even for the right token');
    const ok = await f.app.inject({ method: 'POST', url: '/login', payload: enc({ password: TOKEN, name: 'Ana', next: '//evil.example/' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/', 'an off-site next is not followed');
    const set = String(ok.headers['set-cookie']);
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
  });

  it('renders every page with the bearer token', async () => {
    const pages: [string, RegExp][] = [
      ['/', /Sensor ports, last 7 days/],
      ['/alerts', /MS03-026 exploit attempt/],
      [`/alerts/${f.alertId}`, /id="session-link" href="\/sessions\/web004"/],
      ['/sessions', /web0\d\d/],
      ['/sessions/web004', /RemoteCreateInstance/],
      ['/vulns', /CVE-2003-0352/],
      ['/vulns/CVE-2003-0352', /Seen by the sensors/],
      ['/advisories', /Advisories/],
      ['/exposure', /overdue first/],
      ['/exposure?view=assets', /10\.20\.0\.6/],
      [`/exposure/findings/${f.findingIds.current}`, /CVE-2003-0352<\/a> on <bdi class="untrusted">10\.20\.0\.6/],
      ['/what-if', /<option value="witty">/],
    ];
    for (const [url, want] of pages) {
      const r = await f.app.inject({ url, headers: bearer });
      assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 300)}`);
      assert.match(r.headers['content-type'] as string, /^text\/html/);
      assert.match(r.body, want, url);
    }
    const alias = await f.app.inject({ url: '/vulns?q=MS03-026', headers: bearer });
    assert.equal(alias.statusCode, 303);
    assert.equal(alias.headers.location, '/vulns/CVE-2003-0352');
    const missing = await f.app.inject({ url: '/alerts/ffffffffffffffff', headers: bearer });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /no alert ffffffffffffffff/);
  });

  it('what if: runs an outbreak preset and shows its curve and summary; an unknown preset is refused', async () => {
    const r = await f.app.inject({ url: '/what-if?preset=witty', headers: bearer });
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    assert.match(r.body, /<svg class="chart"[^>]*aria-label="infected hosts, preset witty"/);
    assert.match(r.body, /<dt>vulnerable hosts<\/dt><dd>12,000<\/dd>/);
    assert.match(r.body, /<dt>time to 50 %<\/dt><dd>\d+\.\d (min|h)<\/dd>/);
    const bad = await f.app.inject({ url: '/what-if?preset=nimda', headers: bearer });
    assert.equal(bad.statusCode, 400);
  });

  it('the overview links every count to its list and draws the port chart as SVG', async () => {
    const r = await f.app.inject({ url: '/', headers: bearer });
    assert.match(r.body, /<a href="\/sessions\?port=135">135<\/a>/);
    assert.match(r.body, /<svg class="chart"/);
    assert.match(r.body, /<line class="surge"/, 'the surge alarm is marked');
    assert.match(r.body, /href="\/alerts\?detector=exploit&amp;rule=ms03_026_unc_server">2<\/a>/);
  });

  it('shows hostile strings as text: escaped, never markup', async () => {
    const pages = [await f.app.inject({ url: `/alerts/${f.hostileAlertId}`, headers: bearer }), await f.app.inject({ url: '/sessions/hostile01', headers: bearer }), await f.app.inject({ url: '/alerts', headers: bearer })];
    for (const r of pages) {
      assert.equal(r.statusCode, 200);
      assert.doesNotMatch(r.body, /<script>window/);
      assert.doesNotMatch(r.body, /<img src=x/);
      assert.doesNotMatch(r.body, /href="javascript:/);
      assert.doesNotMatch(r.body, /<script(?! src="\/assets\/htmx\/htmx\.min\.js" defer><\/script>)/, 'the only script is htmx, served by the node');
    }
    const [alert, session] = pages;
    assert.match(alert.body, /&lt;script&gt;window.__pwned=1&lt;\/script&gt;/);
    assert.match(session.body, /&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;/);
    assert.ok(session.body.includes(HOSTILE.big), 'the 100 KB UNC server name is shown whole');
    assert.ok(session.body.includes('<bdi>user\u202Eexe.txt\u202C</bdi>'), 'a direction override stays inside its own isolate');
  });

  it('hex view and raw download of a session payload', async () => {
    const id = 'payload01';
    const bytes = Buffer.concat([Buffer.from('05000b03', 'hex'), Buffer.from('<script>x</script>')]);
    const { sha256 } = await f.store.putPayload(bytes, f.clock.now());
    const { makeSession } = await import('../store/fixtures.js');
    await f.store.saveSession(makeSession({ id, startTs: f.clock.now() - 1000, payloadSha256: [sha256] }));
    const page = await f.app.inject({ url: `/sessions/${id}`, headers: bearer });
    assert.match(page.body, /00000000<\/span>  05 00 0b 03 3c 73/);
    assert.match(page.body, /<span class="asc">\.\.\.\.&lt;script&gt;x&lt;\/s<\/span>/, 'printable bytes escaped, others as dots');
    const raw = await f.app.inject({ url: `/sessions/${id}/payload`, headers: bearer });
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.headers['content-type'], 'application/octet-stream');
    assert.match(String(raw.headers['content-disposition']), /^attachment; filename="vigil-session-payload01\.bin"$/);
    assert.deepEqual(raw.rawPayload, bytes);
  });

  it('refuses a state change without the CSRF token, or from another site; acknowledges with it', async () => {
    const { cookie, csrf } = await signIn(f);
    const url = `/alerts/${f.alertId}/ack`;
    const none = await f.app.inject({ method: 'POST', url, headers: form(cookie), payload: enc({}) });
    assert.equal(none.statusCode, 403);
    const wrong = await f.app.inject({ method: 'POST', url, headers: form(cookie), payload: enc({ _csrf: 'x'.repeat(43) }) });
    assert.equal(wrong.statusCode, 403);
    const cross = await f.app.inject({ method: 'POST', url, headers: form(cookie, { 'sec-fetch-site': 'cross-site' }), payload: enc({ _csrf: csrf }) });
    assert.equal(cross.statusCode, 403);
    assert.equal((await f.alerts.getAlert(f.alertId))?.acknowledged, false, 'nothing refused changed anything');
    const ok = await f.app.inject({ method: 'POST', url, headers: form(cookie), payload: enc({ _csrf: csrf }) });
    assert.equal(ok.statusCode, 303);
    const a = await f.alerts.getAlert(f.alertId);
    assert.equal(a?.acknowledged, true);
    assert.equal(a?.ackBy, 'Ana Analyst');
    const viaHtmx = await f.app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': csrf, 'hx-request': 'true' } });
    assert.equal(viaHtmx.statusCode, 200);
    assert.match(viaHtmx.body, /^<div id="ack"/);
    assert.match(viaHtmx.body, /Acknowledged by <strong>Ana Analyst<\/strong>/);
    const out = await f.app.inject({ method: 'POST', url: '/logout', headers: form(cookie), payload: enc({ _csrf: csrf }) });
    assert.equal(out.statusCode, 303);
    assert.equal((await f.app.inject({ url: '/', headers: { cookie } })).statusCode, 303, 'signed out');
  });

  it('assigns and escalates an alert (analyst yes, viewer no, CSRF required); the list filters on both; an escalation is announced once', async () => {
    const id = f.hostileAlertId;
    const viewer = await signIn(f, 'vera', f.passwords.vera);
    for (const action of ['assign', 'escalate']) {
      const r = await f.app.inject({ method: 'POST', url: `/alerts/${id}/${action}`, headers: form(viewer.cookie), payload: enc({ assignee: 'vera', _csrf: viewer.csrf }) });
      assert.equal(r.statusCode, 403, `a viewer may not ${action}`);
    }
    const { cookie, csrf } = await signIn(f, 'andy', f.passwords.andy);
    const forged = await f.app.inject({ method: 'POST', url: `/alerts/${id}/assign`, headers: form(cookie), payload: enc({ assignee: 'andy' }) });
    assert.equal(forged.statusCode, 403, 'no CSRF token, no change');
    const bad = await f.app.inject({ method: 'POST', url: `/alerts/${id}/assign`, headers: form(cookie), payload: enc({ assignee: '<script>', _csrf: csrf }) });
    assert.equal(bad.statusCode, 400);
    assert.equal((await f.alerts.getAlert(id))?.assignee, undefined, 'nothing refused changed anything');
    const assigned = await f.app.inject({ method: 'POST', url: `/alerts/${id}/assign`, headers: form(cookie), payload: enc({ assignee: 'andy', _csrf: csrf }) });
    assert.equal(assigned.statusCode, 303);
    const a = await f.alerts.getAlert(id);
    assert.deepEqual([a?.assignee, a?.assignedBy], ['andy', 'andy']);
    for (let i = 0; i < 2; i++) {
      const esc = await f.app.inject({ method: 'POST', url: `/alerts/${id}/escalate`, headers: form(cookie), payload: enc({ _csrf: csrf }) });
      assert.equal(esc.statusCode, 303);
    }
    assert.deepEqual(f.escalated.map((x) => [x.id, x.escalatedBy]), [[id, 'andy']], 'announced once, the second escalation changes nothing');
    const page = await f.app.inject({ url: `/alerts/${id}`, headers: { cookie } });
    assert.match(page.body, /id="assignee"><bdi>andy<\/bdi>/);
    assert.match(page.body, /id="escalated">Escalated by <strong>andy<\/strong>/);
    assert.doesNotMatch(page.body, /id="escalate-button"/, 'no second escalation offered');
    const mine = await f.app.inject({ url: '/alerts?status=all&assignee=andy', headers: bearer });
    assert.match(mine.body, new RegExp(`/alerts/${id}"`));
    assert.doesNotMatch(mine.body, new RegExp(`/alerts/${f.alertId}"`), 'only the alerts assigned to andy');
    const esc = await f.app.inject({ url: '/alerts?status=all&escalated=yes', headers: bearer });
    assert.match(esc.body, new RegExp(`/alerts/${id}"`));
    const unassign = await f.app.inject({ method: 'POST', url: `/alerts/${id}/assign`, headers: form(cookie), payload: enc({ assignee: '', _csrf: csrf }) });
    assert.equal(unassign.statusCode, 303);
    assert.equal((await f.alerts.getAlert(id))?.assignee, undefined);
  });

  it('threads: post (escaped, bounded), list through the API, delete own; a forged post is refused', async () => {
    const { cookie, csrf } = await signIn(f, 'Bob');
    const subject: Record<string, string> = { subject: 'alert', subjectId: f.hostileAlertId };
    const forged = await f.app.inject({ method: 'POST', url: '/comments', headers: form(cookie), payload: enc({ ...subject, body: 'no token' }) });
    assert.equal(forged.statusCode, 403);
    const tooLong = await f.app.inject({ method: 'POST', url: '/comments', headers: form(cookie), payload: enc({ ...subject, body: 'x'.repeat(4001), _csrf: csrf }) });
    assert.equal(tooLong.statusCode, 400);
    const onNothing = await f.app.inject({ method: 'POST', url: '/comments', headers: form(cookie), payload: enc({ subject: 'alert', subjectId: 'ffffffffffffffff', body: 'hi', _csrf: csrf }) });
    assert.equal(onNothing.statusCode, 404);
    const posted = await f.app.inject({ method: 'POST', url: '/comments', headers: form(cookie, { 'hx-request': 'true' }), payload: enc({ ...subject, body: `Blocked at the border. ${HOSTILE.script}`, _csrf: csrf }) });
    assert.equal(posted.statusCode, 200, posted.body);
    assert.match(posted.body, /^<div id="thread">/);
    assert.match(posted.body, /Blocked at the border\. &lt;script&gt;/);
    const api = await f.app.inject({ url: `/api/v1/comments?subject=alert&id=${f.hostileAlertId}`, headers: bearer });
    assert.equal(api.statusCode, 200);
    const items = api.json().items as { id: string; author: string; body: string }[];
    assert.equal(items.length, 1);
    assert.equal(items[0].author, 'Bob');
    const page = await f.app.inject({ url: `/alerts/${f.hostileAlertId}`, headers: { cookie } });
    assert.match(page.body, /1 comment</);
    assert.match(page.body, new RegExp(`action="/comments/${items[0].id}/edit"`), 'the author may edit');
    const edited = await f.app.inject({ method: 'POST', url: `/comments/${items[0].id}/edit`, headers: form(cookie), payload: enc({ body: 'Blocked at the border (edited).', _csrf: csrf }) });
    assert.equal(edited.statusCode, 303);
    assert.equal((await f.comments.getComment(items[0].id))?.body, 'Blocked at the border (edited).');
    const notMine = await signIn(f, 'andy', f.passwords.andy);
    const foreign = await f.app.inject({ method: 'POST', url: `/comments/${items[0].id}/edit`, headers: form(notMine.cookie), payload: enc({ body: 'mine now', _csrf: notMine.csrf }) });
    assert.equal(foreign.statusCode, 403, 'only the author edits');
    const foreignDel = await f.app.inject({ method: 'POST', url: `/comments/${items[0].id}/delete`, headers: form(notMine.cookie), payload: enc({ _csrf: notMine.csrf }) });
    assert.equal(foreignDel.statusCode, 403, 'an analyst deletes only their own');
    const other = await signIn(f, 'Carol');
    // Carol signed in with the token, so she is an admin and may moderate; the API deletes for scripts.
    const del = await f.app.inject({ method: 'POST', url: `/comments/${items[0].id}/delete`, headers: form(other.cookie), payload: enc({ _csrf: other.csrf }) });
    assert.equal(del.statusCode, 303);
    assert.equal((await f.comments.listComments('alert', f.hostileAlertId)).length, 0);
  });

  it('the comments API needs the bearer token and bounds what it takes', async () => {
    const noAuth = await f.app.inject({ method: 'POST', url: '/api/v1/comments', payload: { subject: 'vuln', subjectId: 'CVE-2003-0352', author: 'script', body: 'x' } });
    assert.equal(noAuth.statusCode, 401);
    const r: LightMyRequestResponse = await f.app.inject({ method: 'POST', url: '/api/v1/comments', headers: bearer, payload: { subject: 'vuln', subjectId: 'CVE-2003-0352', author: 'patch-bot', body: 'KB823980 deployed to 92% of hosts' } });
    assert.equal(r.statusCode, 201, r.body);
    const page = await f.app.inject({ url: '/vulns/CVE-2003-0352', headers: bearer });
    assert.match(page.body, /KB823980 deployed to 92% of hosts/);
    const big = await f.app.inject({ method: 'POST', url: '/api/v1/comments', headers: bearer, payload: { subject: 'vuln', subjectId: 'CVE-2003-0352', author: 'x', body: 'y'.repeat(4001) } });
    assert.equal(big.statusCode, 400);
  });

  it('keeps dashboard routes out of the OpenAPI document', async () => {
    const doc = (await f.app.inject({ url: '/api/v1/openapi.json', headers: bearer })).json() as { paths: Record<string, unknown> };
    assert.ok(!Object.keys(doc.paths).some((p) => p === '/' || p.startsWith('/alerts') || p.startsWith('/login') || p.startsWith('/assets')), Object.keys(doc.paths).join(' '));
    assert.ok(Object.keys(doc.paths).includes('/api/v1/comments/'), 'the comments API is documented');
  });

  it('serves its assets itself: stylesheet and htmx, no CDN', async () => {
    const css = await f.app.inject({ url: '/assets/vigil.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);
    const htmx = await f.app.inject({ url: '/assets/htmx/htmx.min.js' });
    assert.equal(htmx.statusCode, 200);
    assert.match(htmx.body, /htmx/);
    assert.equal((await f.app.inject({ url: '/assets/htmx/htmx.js' })).statusCode, 404, 'only the one file of the htmx package');
    const page = await f.app.inject({ url: '/', headers: bearer });
    assert.doesNotMatch(page.body, /https?:\/\/(?!127\.)[a-z]/i, 'no third-party URL in the page');
  });
});
