// The TAXII 2.1 server against the spec: app.inject for each endpoint, its media type, auth and
// per-collection permissions, hostile requests bounded by named limits; then over a real loopback
// socket, Vigil's own TaxiiClient (push and pull with paging) and a stdlib Python TAXII reader.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildServer } from '../../src/server/app.js';
import { taxiiPlugin, type TaxiiUser } from '../../src/server/routes/taxii.js';
import { alertsToStix } from '../../src/share/stix/stix-export.js';
import { TaxiiClient } from '../../src/share/taxii/taxii-client.js';
import { collectionId, TaxiiService } from '../../src/share/taxii/taxii-service.js';
import { TAXII_MEDIA_TYPE } from '../../src/share/taxii/taxii-limits.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { storyAlerts } from '../share/story-alerts.js';

const TOKEN = 'vgl_test-token-0123456789abcdef';
const PARTNER: TaxiiUser = { name: 'partner', token: 'partner-token-0123456789', read: ['vigil-sightings'], write: ['partner-inbox'] };
const READER: TaxiiUser = { name: 'reader', token: 'reader-token-0123456789ab', read: ['vigil-sightings'], write: [] };
const SIGHTINGS = collectionId('vigil-sightings');
const INBOX = collectionId('partner-inbox');
const ROOT = '/taxii2/vigil';
const H = (token = TOKEN) => ({ authorization: `Bearer ${token}`, accept: TAXII_MEDIA_TYPE });
const OBJECTS = alertsToStix(storyAlerts(), { organization: 'Example CERT', sensor: 'sensor-1', tlp: 'green' }).objects;

describe('TAXII 2.1 server', () => {
  let dir = '';
  let app: FastifyInstance;
  let svc: TaxiiService;
  let clockUs = Date.UTC(2026, 0, 1) * 1000;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-taxii-'));
    svc = new TaxiiService({
      title: 'Vigil test node', apiRoot: 'vigil', dir,
      collections: [{ alias: 'vigil-sightings', title: 'Sightings and indicators' }, { alias: 'partner-inbox', title: 'From partners' }],
      limits: { maxContentBytes: 256 * 1024, maxObjectsPerEnvelope: 500 },
      nowUs: () => (clockUs += 1000),
    });
    app = await buildServer({ store: {} as never, registry: new Registry(), token: TOKEN, routes: [taxiiPlugin({ service: svc, prefix: '/taxii2', apiToken: () => TOKEN, users: [PARTNER, READER] })] });
    svc.publish('vigil-sightings', OBJECTS);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = H()) => app.inject({ method: 'GET', url, headers });
  const post = (url: string, body: string, headers: Record<string, string> = { ...H(PARTNER.token), 'content-type': TAXII_MEDIA_TYPE }) => app.inject({ method: 'POST', url, headers, payload: body });

  it('discovery, API root and collections answer in the TAXII media type', async () => {
    const d = await get('/taxii2/');
    assert.equal(d.statusCode, 200);
    assert.equal(d.headers['content-type'], TAXII_MEDIA_TYPE);
    assert.equal(d.json().default, `http://localhost:80${ROOT}/`);
    const r = await get(`${ROOT}/`);
    assert.deepEqual(r.json().versions, [TAXII_MEDIA_TYPE]);
    assert.equal(r.json().max_content_length, 256 * 1024);
    const c = await get(`${ROOT}/collections/`, H(PARTNER.token));
    const byAlias = Object.fromEntries((c.json().collections as { alias: string; can_read: boolean; can_write: boolean }[]).map((x) => [x.alias, x]));
    assert.equal(byAlias['vigil-sightings']!.can_read, true);
    assert.equal(byAlias['vigil-sightings']!.can_write, false);
    assert.equal(byAlias['partner-inbox']!.can_write, true);
    assert.equal(byAlias['partner-inbox']!.can_read, false);
    assert.equal((await get(`${ROOT}/collections/${SIGHTINGS}/`)).json().id, SIGHTINGS);
  });

  it('refuses without credentials (401 with a challenge), a wrong Accept (406), a foreign API root (404)', async () => {
    const r = await get('/taxii2/', { accept: TAXII_MEDIA_TYPE });
    assert.equal(r.statusCode, 401);
    assert.match(String(r.headers['www-authenticate']), /Basic/);
    assert.equal(r.json().http_status, '401');
    assert.equal((await get('/taxii2/', { ...H(), authorization: 'Bearer wrong-token-xxxxxxxxxxxx' })).statusCode, 401);
    // Basic with the right password but another user's name is no one.
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    assert.equal((await get('/taxii2/', { ...H(), authorization: basic('reader', PARTNER.token) })).statusCode, 401);
    assert.equal((await get('/taxii2/', { ...H(), authorization: basic('partner', PARTNER.token) })).statusCode, 200);
    assert.equal((await get('/taxii2/', { ...H(), accept: 'text/html' })).statusCode, 406);
    assert.equal((await get('/taxii2/other/')).statusCode, 404);
  });

  it('objects page with limit and next, carry X-TAXII-Date-Added headers, and filter by added_after and match[]', async () => {
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    let lastAdded = '';
    do {
      const r = await get(`${ROOT}/collections/${SIGHTINGS}/objects/?limit=7${next ? `&next=${next}` : ''}`);
      assert.equal(r.statusCode, 200);
      const env = r.json() as { objects: { id: string }[]; more: boolean; next?: string };
      assert.ok(env.objects.length <= 7);
      assert.ok(String(r.headers['x-taxii-date-added-first']) <= String(r.headers['x-taxii-date-added-last']));
      lastAdded = String(r.headers['x-taxii-date-added-last']);
      seen.push(...env.objects.map((o) => o.id));
      next = env.more ? env.next : undefined;
      pages++;
    } while (next);
    assert.deepEqual(seen.sort(), OBJECTS.map((o) => o.id).sort());
    assert.equal(pages, Math.ceil(OBJECTS.length / 7));
    const none = await get(`${ROOT}/collections/${SIGHTINGS}/objects/?added_after=${lastAdded}`);
    assert.deepEqual(none.json(), { more: false });
    const sightings = await get(`${ROOT}/collections/${SIGHTINGS}/objects/?match[type]=sighting,malware`);
    assert.deepEqual(new Set((sightings.json().objects as { type: string }[]).map((o) => o.type)), new Set(['sighting', 'malware']));
    const one = OBJECTS.find((o) => o.type === 'indicator')!;
    const byId = await get(`${ROOT}/collections/${SIGHTINGS}/objects/${one.id}/`);
    assert.deepEqual(byId.json().objects, [one]);
    const m = await get(`${ROOT}/collections/${SIGHTINGS}/manifest/?match[id]=${one.id}`);
    assert.deepEqual(Object.keys(m.json().objects[0]).sort(), ['date_added', 'id', 'media_type', 'version']);
    assert.equal(m.json().objects[0].version, one.modified);
  });

  it('a partner POSTs an envelope: 202 with a status resource, versions kept, resubmission idempotent, read refused where not granted', async () => {
    const ind = OBJECTS.find((o) => o.type === 'indicator')!;
    const v2 = { ...ind, modified: '2026-02-01T00:00:00.000Z' };
    const bad = { type: 'indicator', id: 'indicator--not-a-uuid' };
    const r = await post(`${ROOT}/collections/${INBOX}/objects/`, JSON.stringify({ objects: [ind, v2, bad] }));
    assert.equal(r.statusCode, 202);
    const st = r.json();
    assert.equal(st.status, 'complete');
    assert.equal(st.total_count, 3);
    assert.equal(st.success_count, 2);
    assert.equal(st.failures[0].id, 'indicator--not-a-uuid');
    const again = await post(`${ROOT}/collections/${INBOX}/objects/`, JSON.stringify({ objects: [ind] }));
    assert.equal(again.json().successes[0].message, 'version already held');
    assert.equal((await get(`${ROOT}/status/${st.id}/`, H(PARTNER.token))).json().id, st.id);
    assert.equal((await get(`${ROOT}/status/${st.id}/`, H(READER.token))).statusCode, 404, "another principal's status is not shown");
    assert.equal((await get(`${ROOT}/collections/${INBOX}/objects/`, H(PARTNER.token))).statusCode, 403);
    assert.equal((await post(`${ROOT}/collections/${SIGHTINGS}/objects/`, '{"objects":[]}')).statusCode, 403);
    assert.equal((await get(`${ROOT}/collections/${INBOX}/objects/`, H(READER.token))).statusCode, 404, 'a collection one may not touch is not there');
    const versions = await get(`${ROOT}/collections/${INBOX}/objects/${ind.id}/versions/`);
    assert.deepEqual(versions.json().versions, [ind.modified, v2.modified]);
    const last = await get(`${ROOT}/collections/${INBOX}/objects/${ind.id}/`);
    assert.equal(last.json().objects[0].modified, v2.modified);
    const first = await get(`${ROOT}/collections/${INBOX}/objects/${ind.id}/?match[version]=first`);
    assert.equal(first.json().objects[0].modified, ind.modified);
  });

  it('hostile requests are refused by named limits with TAXII error messages', async () => {
    const url = `${ROOT}/collections/${INBOX}/objects/`;
    const huge = await post(url, JSON.stringify({ objects: [{ type: 'note', id: 'note--0b6b2b1e-1d7a-4d4c-8a8e-111111111111', content: 'x'.repeat(300 * 1024) }] }));
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().http_status, '413');
    assert.equal((await post(url, '{"objects": [1, 2,')).statusCode, 400);
    assert.equal((await post(url, '[]')).statusCode, 400);
    assert.equal((await post(url, '{}', { ...H(PARTNER.token), 'content-type': 'text/plain' })).statusCode, 415);
    const many = await post(url, JSON.stringify({ objects: Array.from({ length: 501 }, () => 1) }));
    assert.equal(many.statusCode, 413);
    // 10,000 levels of nesting: refused per object (maxObjectDepth), not a stack overflow.
    const deep = `{"objects":[{"type":"note","id":"note--0b6b2b1e-1d7a-4d4c-8a8e-222222222222","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}]}`;
    const d = await post(url, deep);
    assert.equal(d.statusCode, 202);
    assert.match(d.json().failures[0].message, /nested deeper than 32/);
    const q = (s: string) => get(`${ROOT}/collections/${SIGHTINGS}/objects/?${s}`);
    assert.equal((await q('limit=0')).statusCode, 400);
    assert.equal((await q('limit=abc')).statusCode, 400);
    assert.equal((await q('added_after=yesterday')).statusCode, 400);
    assert.equal((await q('next=../../etc')).statusCode, 400);
    assert.equal((await q(`match[type]=${Array.from({ length: 101 }, () => 'indicator').join(',')}`)).statusCode, 400);
    assert.equal((await q(`match[id]=${'a'.repeat(9000)}`)).statusCode, 400);
    assert.equal((await q('match[id]=indicator--zzz')).statusCode, 400);
    const capped = await q('limit=100000');
    assert.equal(capped.statusCode, 200);
  });

  it('DELETE needs read and write; removes every version by default', async () => {
    const ind = OBJECTS.find((o) => o.type === 'indicator')!;
    const url = `${ROOT}/collections/${INBOX}/objects/${ind.id}/`;
    assert.equal((await app.inject({ method: 'DELETE', url, headers: H(PARTNER.token) })).statusCode, 403, 'write without read may not delete');
    assert.equal((await app.inject({ method: 'DELETE', url, headers: H() })).statusCode, 200);
    assert.equal((await get(url)).statusCode, 404);
    assert.equal((await app.inject({ method: 'DELETE', url, headers: H() })).statusCode, 404);
  });

  it('collections survive a restart (journal), with the same ids', async () => {
    const again = new TaxiiService({ title: 't', apiRoot: 'vigil', dir, collections: [{ alias: 'vigil-sightings', title: 's' }] });
    const page = again.objects(SIGHTINGS, { name: 'admin', read: ['*'], write: ['*'] }, { filter: {}, limit: 10_000 });
    assert.equal((page.body.objects as unknown[]).length, OBJECTS.length);
  });

  describe('over a loopback socket', () => {
    let base = '';
    before(async () => {
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });

    it("Vigil's TaxiiClient pushes to the inbox and pulls the sightings collection page by page", async () => {
      const push = new TaxiiClient({ collectionUrl: `${base}${ROOT}/collections/${INBOX}/`, auth: { username: 'partner', password: PARTNER.token } });
      const sent = OBJECTS.filter((o) => o.type === 'sighting');
      const st = await push.push(sent);
      assert.equal(st.success_count, sent.length);
      const admin = new TaxiiClient({ collectionUrl: `${base}${ROOT}/collections/${INBOX}/`, auth: { token: TOKEN } });
      const back = await admin.pull({ types: ['sighting'] });
      assert.deepEqual(back.objects.map((o) => o.id).sort(), sent.map((o) => o.id).sort());
      const pull = new TaxiiClient({ collectionUrl: `${base}${ROOT}/collections/${SIGHTINGS}/`, auth: { token: READER.token } });
      const all = await pull.pull({ limit: 5 });
      assert.equal(all.pages, Math.ceil(OBJECTS.length / 5));
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
      assert.deepEqual([...all.objects].sort(byId), [...OBJECTS].sort(byId), 'the same objects come back, unchanged');
      const later = await pull.pull({ addedAfter: all.lastAdded! });
      assert.equal(later.objects.length, 0);
      await assert.rejects(new TaxiiClient({ collectionUrl: `${base}${ROOT}/collections/${INBOX}/`, auth: { token: READER.token } }).push(sent), /HTTP 404/);
    });

    it('a stdlib Python TAXII 2.1 reader walks discovery, collections and pages', { skip: existsSync('/usr/bin/python3') ? false : '/usr/bin/python3 not installed' }, async () => {
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(REPO_ROOT, 'test', 'interop', 'taxii21_read.py'), `${base}/taxii2/`, 'reader', READER.token, '4'], { timeout: 30_000 });
      const out = JSON.parse(stdout) as { title: string; collection: string; ids: string[]; pages: number; after_last: number };
      assert.equal(out.title, 'Vigil test node');
      assert.equal(out.collection, SIGHTINGS);
      assert.deepEqual(out.ids.sort(), OBJECTS.map((o) => o.id).sort());
      assert.equal(out.pages, Math.ceil(OBJECTS.length / 4));
      assert.equal(out.after_last, 0);
    });
  });
});
