// The Exposure page through app.inject over a real SQLite store: findings overdue first, filters,
// the asset view, the overview's exposure counts and their links, bulk status changes (analyst yes,
// viewer no, CSRF required, all-or-nothing, bounded), hostile inventory text inert, and threads on
// findings (dashboard and API) reported as new comments.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dashboardFixture, HOSTILE, type DashboardFixture } from './dashboard-fixture.js';
import { bearer, enc, form, signIn } from './web-inject.js';

/** The finding ids of a list page, in page order. */
const rowIds = (html: string): string[] => [...html.matchAll(/href="\/exposure\/findings\/([0-9a-f]{16})"/g)].map((m) => m[1]!);

describe('exposure page', () => {
  let f: DashboardFixture;
  before(async () => {
    f = await dashboardFixture();
  });
  after(async () => f.close());

  it('lists unresolved findings overdue first, then by priority; filters by status, owner, overdue, asset and CVE', async () => {
    const page = await f.app.inject({ url: '/exposure', headers: bearer });
    assert.equal(page.statusCode, 200);
    const ids = rowIds(page.body);
    const overdue = (await f.exposure.listFindings({ overdueOn: '2003-08-12', limit: 100 })).items.map((x) => x.id);
    assert.ok(overdue.includes(f.findingIds.overdue) && !overdue.includes(f.findingIds.current));
    assert.deepEqual(ids.slice(0, overdue.length).sort(), [...overdue].sort(), 'the overdue findings come first, a lower priority among them notwithstanding');
    assert.ok(ids.includes(f.findingIds.current));
    assert.match(page.body, /<tr class="overdue">/);

    const onlyOverdue = await f.app.inject({ url: '/exposure?overdue=yes', headers: bearer });
    assert.deepEqual(rowIds(onlyOverdue.body).sort(), [...overdue].sort());
    const byOwner = await f.app.inject({ url: `/exposure?${enc({ owner: `${HOSTILE.img}${HOSTILE.bidi}` })}`, headers: bearer });
    assert.ok(rowIds(byOwner.body).includes(f.findingIds.hostile));
    assert.ok(!rowIds(byOwner.body).includes(f.findingIds.current), 'the owner filter keeps only that owner\'s findings');
    const fixed = await f.app.inject({ url: '/exposure?status=fixed', headers: bearer });
    assert.deepEqual(rowIds(fixed.body), []);
    assert.match(fixed.body, /No findings match/);
    const current = await f.exposure.getFinding(f.findingIds.current);
    const byAsset = await f.app.inject({ url: `/exposure?asset=${current!.assetId}&cve=cve-2003-0352`, headers: bearer });
    assert.deepEqual(rowIds(byAsset.body), [f.findingIds.current]);
    assert.match(byAsset.body, /id="asset-card"/);
    // An htmx filter change gets only the table.
    const fragment = await f.app.inject({ url: '/exposure?overdue=yes', headers: { ...bearer, 'hx-request': 'true' } });
    assert.match(fragment.body, /^<div id="exposure-rows">/);
    const bad = await f.app.inject({ url: '/exposure?status=pwned', headers: bearer });
    assert.equal(bad.statusCode, 400);
  });

  it('a vulnerability page names the assets that have it, overdue first, and links to all of them', async () => {
    const r = await f.app.inject({ url: '/vulns/CVE-2003-0352', headers: bearer });
    assert.equal(r.statusCode, 200);
    const unresolved = await f.exposure.listFindings({ vulnId: 'CVE-2003-0352', status: ['open', 'reopened'], limit: 100 });
    assert.ok(unresolved.total > 0);
    assert.match(r.body, new RegExp(`${unresolved.total} assets? with an open finding`));
    const listed = rowIds(r.body);
    assert.deepEqual([...listed].sort(), unresolved.items.map((x) => x.id).sort(), 'each unresolved finding of this vulnerability, linked');
    assert.equal(listed[0], f.findingIds.overdue, 'the overdue one first');
    assert.match(r.body, /href="\/exposure\?cve=CVE-2003-0352&amp;status=unresolved"/);
    assert.doesNotMatch(r.body, /<img src=x/, 'hostile asset names stay text');
  });

  it('the asset view filters by service, vulnerable and overdue; the overview counts link to exactly those lists', async () => {
    const overview = await f.app.inject({ url: '/', headers: bearer });
    const link = (id: string): { href: string; n: number } => {
      const m = new RegExp(`<a id="${id}"[^>]* href="([^"]+)">([0-9,]+)</a>`).exec(overview.body);
      assert.ok(m, `the overview has ${id}`);
      return { href: m[1]!.replaceAll('&amp;', '&'), n: Number(m[2]!.replace(/,/g, '')) };
    };
    const rpc = link('x-rpc');
    const vulnerable = link('x-vulnerable');
    const overdueHosts = link('x-overdue-hosts');
    assert.deepEqual([rpc.n, vulnerable.n, overdueHosts.n], [3, 3, 1]);
    assert.equal(rpc.href, '/exposure?view=assets&service=tcp%2F135');
    for (const l of [rpc, vulnerable, overdueHosts]) {
      const list = await f.app.inject({ url: l.href, headers: bearer });
      assert.equal(list.statusCode, 200, l.href);
      assert.match(list.body, new RegExp(`${l.n} assets?`), `${l.href} lists as many assets as the overview counted`);
    }
    const overdueList = await f.app.inject({ url: overdueHosts.href, headers: bearer });
    assert.match(overdueList.body, /10\.20\.0\.5/);
    assert.doesNotMatch(overdueList.body, /10\.20\.0\.6/);
    const open = link('x-open');
    const openPage = await f.app.inject({ url: open.href, headers: bearer });
    assert.match(openPage.body, new RegExp(`${open.n} findings`));
    const noService = await f.app.inject({ url: '/exposure?view=assets&service=tcp/4444', headers: bearer });
    assert.match(noService.body, /No assets match/);
  });

  it('hostile inventory text (host name, owner, evidence) is shown as text, never markup', async () => {
    for (const url of ['/exposure?view=assets', '/exposure', `/exposure/findings/${f.findingIds.hostile}`]) {
      const r = await f.app.inject({ url, headers: bearer });
      assert.equal(r.statusCode, 200, url);
      assert.doesNotMatch(r.body, /<script>window/, url);
      assert.doesNotMatch(r.body, /<img src=x/, url);
      assert.match(r.body, /&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;/, url);
    }
    const page = await f.app.inject({ url: `/exposure/findings/${f.findingIds.hostile}`, headers: bearer });
    assert.match(page.body, /&lt;script&gt;window.__pwned=1&lt;\/script&gt;/);
    assert.match(page.body, /<bdi>ms03-026: vulnerable javascript:window.__pwned=3<\/bdi>/);
    assert.doesNotMatch(page.body, /href="javascript:/);
  });

  it('an analyst changes many findings at once, recorded in each one\'s history with name and note', async () => {
    const andy = await signIn(f, 'andy', f.passwords.andy);
    const page = await f.app.inject({ url: '/exposure?overdue=yes', headers: { cookie: andy.cookie } });
    assert.match(page.body, /name="ids" value=/);
    assert.match(page.body, /id="bulk-apply"/);
    const ids = rowIds(page.body).slice(0, 2);
    assert.equal(ids.length, 2);
    const r = await f.app.inject({
      method: 'POST', url: '/exposure/findings/bulk', headers: form(andy.cookie),
      payload: enc({ _csrf: andy.csrf, ids, status: 'risk-accepted', note: 'isolated VLAN until the 2003-09 window', back: '/exposure?overdue=yes' }),
    });
    assert.equal(r.statusCode, 303, r.body);
    assert.equal(r.headers.location, '/exposure?overdue=yes&changed=2');
    for (const id of ids) {
      const x = await f.exposure.getFinding(id);
      assert.equal(x?.status, 'risk-accepted');
      assert.equal(x?.history[0]?.by, 'andy');
      assert.equal(x?.history[0]?.note, 'isolated VLAN until the 2003-09 window');
      assert.equal(x?.history[0]?.from, 'open');
    }
    const after = await f.app.inject({ url: '/exposure?overdue=yes&changed=2', headers: { cookie: andy.cookie } });
    assert.match(after.body, /2 findings changed/);
    assert.ok(ids.every((id) => !rowIds(after.body).includes(id)), 'risk-accepted findings left the overdue list');
    // One checked box arrives as a single value; an owner alone is a change too.
    const one = await f.app.inject({ method: 'POST', url: '/exposure/findings/bulk', headers: form(andy.cookie), payload: enc({ _csrf: andy.csrf, ids: ids[0]!, status: '', owner: 'windows-team' }) });
    assert.equal(one.statusCode, 303, one.body);
    assert.equal(one.headers.location, '/exposure?changed=1');
    const owned = await f.exposure.getFinding(ids[0]!);
    assert.equal(owned?.owner, 'windows-team');
    assert.equal(owned?.status, 'risk-accepted');
    assert.match(owned?.history[0]?.note ?? '', /owner .* -> windows-team/);
  });

  it('"apply to all matching" changes every finding the filtered list holds, on every page of it, and nothing when the list changed meanwhile', async () => {
    const andy = await signIn(f, 'andy', f.passwords.andy);
    const list = '/exposure?status=all&cve=CVE-2003-0352';
    const page = await f.app.inject({ url: list, headers: { cookie: andy.cookie } });
    const total = Number(/<p class="muted small">(\d+) findings?/.exec(page.body)?.[1]);
    assert.ok(total >= 2, page.body.slice(0, 300));
    assert.match(page.body, new RegExp(`id="bulk-apply-all">Apply to all ${total} matching`));
    assert.match(page.body, new RegExp(`name="expect" value="${total}"`));
    const post = (payload: Record<string, string>) => f.app.inject({ method: 'POST', url: '/exposure/findings/bulk', headers: form(andy.cookie), payload: enc({ _csrf: andy.csrf, ...payload }) });
    const matching = async () => (await f.exposure.listFindings({ vulnId: 'CVE-2003-0352', limit: 1000 })).items;
    // the page showed another number: the list changed since, nothing is changed
    const before = await matching();
    const stale = await post({ scope: 'matching', expect: String(total + 1), owner: 'rpc-team', back: list });
    assert.equal(stale.statusCode, 400);
    assert.match(stale.body, /the list changed/);
    assert.deepEqual(await matching(), before);
    // only an Exposure findings list can be "all matching"; no ids and no scope is nothing to do
    assert.equal((await post({ scope: 'matching', owner: 'rpc-team', back: '/exposure?view=assets' })).statusCode, 400);
    assert.equal((await post({ scope: 'matching', owner: 'rpc-team', back: `/exposure/findings/${f.findingIds.current}` })).statusCode, 400);
    assert.equal((await post({ owner: 'rpc-team', back: list })).statusCode, 400);
    const r = await post({ scope: 'matching', expect: String(total), owner: 'rpc-team', note: 'DCOM RPC owners', back: list });
    assert.equal(r.statusCode, 303, r.body);
    assert.equal(r.headers.location, `${list}&changed=${total}`);
    const after = await matching();
    assert.equal(after.length, total);
    for (const x of after) {
      assert.equal(x.owner, 'rpc-team');
      assert.equal(x.history[0]?.by, 'andy');
      assert.match(x.history[0]?.note ?? '', /DCOM RPC owners/);
    }
  });

  it('a bulk change is all or nothing and bounded; it returns only to an Exposure page', async () => {
    const andy = await signIn(f, 'andy', f.passwords.andy);
    const post = (payload: Record<string, string | string[]>) => f.app.inject({ method: 'POST', url: '/exposure/findings/bulk', headers: form(andy.cookie), payload: enc({ _csrf: andy.csrf, ...payload }) });
    const before = await f.exposure.getFinding(f.findingIds.current);
    const unknown = await post({ ids: [f.findingIds.current, 'ffffffffffffffff'], status: 'fixed' });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(await f.exposure.getFinding(f.findingIds.current), before, 'nothing changed when one finding is unknown');
    assert.equal((await post({ ids: [f.findingIds.current] })).statusCode, 400, 'no status, owner or note: nothing to do');
    assert.equal((await post({ ids: [f.findingIds.current], status: 'pwned' })).statusCode, 400);
    assert.equal((await post({ ids: ['../../etc'], status: 'fixed' })).statusCode, 400);
    assert.equal((await post({ ids: Array.from({ length: 501 }, (_, i) => i.toString(16).padStart(16, '0')), status: 'fixed' })).statusCode, 400);
    assert.equal((await post({ ids: [f.findingIds.current], note: 'n'.repeat(2001) })).statusCode, 400);
    const away = await post({ ids: [f.findingIds.current], note: 'checked', back: '//evil.example/exposure' });
    assert.equal(away.statusCode, 303);
    assert.equal(away.headers.location, '/exposure?changed=1');
    const page = await post({ ids: [f.findingIds.current], note: 'again', back: `/exposure/findings/${f.findingIds.current}` });
    assert.equal(page.headers.location, `/exposure/findings/${f.findingIds.current}?changed=1`);
  });

  it('a viewer sees findings but no checkboxes and is refused; a post without the CSRF token or from another site is refused', async () => {
    const vera = await signIn(f, 'vera', f.passwords.vera);
    const page = await f.app.inject({ url: '/exposure', headers: { cookie: vera.cookie } });
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /name="ids"/);
    assert.match(page.body, /Your role may not change findings/);
    const finding = await f.app.inject({ url: `/exposure/findings/${f.findingIds.current}`, headers: { cookie: vera.cookie } });
    assert.doesNotMatch(finding.body, /id="finding-change"/);
    const before = await f.exposure.getFinding(f.findingIds.current);
    const viewer = await f.app.inject({ method: 'POST', url: '/exposure/findings/bulk', headers: form(vera.cookie), payload: enc({ _csrf: vera.csrf, ids: [f.findingIds.current], status: 'false-positive' }) });
    assert.equal(viewer.statusCode, 403);
    const andy = await signIn(f, 'andy', f.passwords.andy);
    const noToken = await f.app.inject({ method: 'POST', url: '/exposure/findings/bulk', headers: form(andy.cookie), payload: enc({ ids: [f.findingIds.current], status: 'false-positive' }) });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /CSRF/);
    const wrongToken = await f.app.inject({ method: 'POST', url: '/exposure/findings/bulk', headers: form(andy.cookie), payload: enc({ _csrf: vera.csrf, ids: [f.findingIds.current], status: 'false-positive' }) });
    assert.equal(wrongToken.statusCode, 403, 'another session\'s token does not do');
    const crossSite = await f.app.inject({ method: 'POST', url: '/exposure/findings/bulk', headers: form(andy.cookie, { 'sec-fetch-site': 'cross-site' }), payload: enc({ _csrf: andy.csrf, ids: [f.findingIds.current], status: 'false-positive' }) });
    assert.equal(crossSite.statusCode, 403);
    assert.deepEqual(await f.exposure.getFinding(f.findingIds.current), before, 'no refused post changed the finding');
  });

  it('findings carry a discussion thread: posted on the finding page, listed by the API, reported as new', async () => {
    const andy = await signIn(f, 'andy', f.passwords.andy);
    const id = f.findingIds.overdue;
    const page = await f.app.inject({ url: `/exposure/findings/${id}`, headers: { cookie: andy.cookie } });
    assert.match(page.body, /name="subject" value="finding"/);
    assert.match(page.body, new RegExp(`name="subjectId" value="${id}"`));
    const n = f.announced.length;
    const r = await f.app.inject({ method: 'POST', url: '/comments', headers: form(andy.cookie), payload: enc({ _csrf: andy.csrf, subject: 'finding', subjectId: id, body: `Ticket CHG-1042 ${HOSTILE.script}` }) });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, `/exposure/findings/${id}#thread`);
    const shown = await f.app.inject({ url: `/exposure/findings/${id}`, headers: { cookie: andy.cookie } });
    assert.match(shown.body, /Ticket CHG-1042 &lt;script&gt;/);
    assert.equal(f.announced.length, n + 1);
    assert.deepEqual([f.announced[n]!.subject, f.announced[n]!.subjectId, f.announced[n]!.author], ['finding', id, 'andy']);
    const list = await f.app.inject({ url: '/exposure', headers: { cookie: andy.cookie } });
    assert.match(list.body, new RegExp(`href="/exposure/findings/${id}">[\\s\\S]*?<td class="num">1</td>`), 'the list counts the comment');
    const api = await f.app.inject({ url: `/api/v1/comments?subject=finding&id=${id}`, headers: bearer });
    assert.equal(api.statusCode, 200);
    assert.deepEqual((api.json() as { items: { author: string }[] }).items.map((c) => c.author), ['andy']);
    const posted = await f.app.inject({ method: 'POST', url: '/api/v1/comments', headers: bearer, payload: { subject: 'finding', subjectId: id, author: 'patch-bot', body: 'KB823980 pushed' } });
    assert.equal(posted.statusCode, 201);
    assert.equal(f.announced.length, n + 2);
    const nowhere = await f.app.inject({ method: 'POST', url: '/api/v1/comments', headers: bearer, payload: { subject: 'finding', subjectId: 'ffffffffffffffff', author: 'patch-bot', body: 'x' } });
    assert.equal(nowhere.statusCode, 404);
    const webNowhere = await f.app.inject({ method: 'POST', url: '/comments', headers: form(andy.cookie), payload: enc({ _csrf: andy.csrf, subject: 'finding', subjectId: 'ffffffffffffffff', body: 'x' }) });
    assert.equal(webNowhere.statusCode, 404);
  });
});
