// "Have your say" reaches the webhooks: on a live node (`vigil up`, startNode) with a webhook
// configured to a receiver on 127.0.0.1, a comment posted through the API on a vulnerability and one
// posted from the dashboard on a finding each arrive as a signed `comment.created` POST (event and
// delivery headers, the comment, a link to its thread); edits and deletes send nothing. An alert
// escalated from the dashboard arrives once as `alert.escalated`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from '../../src/detect/webhook-sink.js';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { AlertSqliteStore } from '../../src/store/sqlite/alert-sqlite-store.js';
import { ExposureService } from '../../src/exposure/exposure-service.js';
import { ExposureSqliteStore } from '../../src/store/sqlite/exposure-sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { freePort, poll, tempDir } from './up-helpers.js';

interface Received { body: string; event?: string; delivery?: string; signature?: string }

function receiver(port: number, got: Received[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        body: Buffer.concat(chunks).toString('utf8'), event: req.headers[EVENT_HEADER] as string,
        delivery: req.headers[DELIVERY_HEADER] as string, signature: req.headers[SIGNATURE_HEADER] as string,
      });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

interface CommentEvent { event: string; id: string; ts: number; time: string; url?: string; comment: { id: string; subject: string; subjectId: string; author: string; body: string } }

test('vigil up: a new comment (API or dashboard, any subject) is POSTed to the webhooks as comment.created', { timeout: 60_000 }, async () => {
  const dataDir = tempDir('comment-hook');
  const [httpPort, hookPort] = [await freePort(), await freePort()];
  const secret = 'comment-hook-secret-0123456789';
  const got: Received[] = [];
  const hook = await receiver(hookPort, got);
  const config = loadConfig({
    env: {},
    flags: {
      dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [135] }, log: { level: 'silent' },
      alerts: { webhooks: [{ name: 'soc', url: `http://127.0.0.1:${hookPort}/hook`, secret }] },
    },
  });
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  try {
    const base = `http://${n.httpAddress}`;
    const auth = { authorization: `Bearer ${n.token}` };
    const posted = await fetch(`${base}/api/v1/comments`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'vuln', subjectId: 'CVE-2003-0352', author: 'patch-bot', body: 'KB823980 on 92% of hosts' }),
    });
    assert.equal(posted.status, 201, await posted.clone().text());
    const c1 = (await posted.json()) as { id: string };

    // A finding on the node's own store (as a scheduled rescan would make it), then a comment on it
    // from the dashboard (bearer: a script's post needs no CSRF token).
    const exposure = new ExposureSqliteStore(n.store.kysely);
    await new ExposureService({ store: exposure, kb: new KbSqliteStore(n.store.kysely), clock: { now: () => Date.now() } }).applyScan([{
      address: '10.30.0.9', scannedAt: Date.now(), ports: [{ port: 135, proto: 'tcp', state: 'open' }],
      checks: [{ check: 'ms03-026', cve: 'CVE-2003-0352', verdict: 'vulnerable', reason: 'no fault', port: 135 }],
    }]);
    const [finding] = (await exposure.listFindings({ vulnId: 'CVE-2003-0352' })).items;
    assert.ok(finding);
    const web = await fetch(`${base}/comments`, {
      method: 'POST', redirect: 'manual', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ subject: 'finding', subjectId: finding.id, body: 'Ticket CHG-1042: patch tonight' }).toString(),
    });
    assert.equal(web.status, 303);

    await poll(async () => (got.length >= 2 ? true : undefined), 'two webhook deliveries');
    const events = got.map((g) => ({ ...g, json: JSON.parse(g.body) as CommentEvent }));
    assert.deepEqual(events.map((e) => e.event), ['comment.created', 'comment.created']);
    assert.deepEqual(events.map((e) => e.json.event), ['comment.created', 'comment.created']);
    const [vuln, onFinding] = events;
    assert.equal(vuln!.delivery, c1.id);
    assert.equal(vuln!.json.id, c1.id);
    assert.deepEqual([vuln!.json.comment.subject, vuln!.json.comment.subjectId, vuln!.json.comment.author, vuln!.json.comment.body], ['vuln', 'CVE-2003-0352', 'patch-bot', 'KB823980 on 92% of hosts']);
    assert.equal(vuln!.json.url, `${base}/vulns/CVE-2003-0352`);
    assert.match(vuln!.json.time, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual([onFinding!.json.comment.subject, onFinding!.json.comment.subjectId, onFinding!.json.comment.author], ['finding', finding.id, 'api']);
    assert.equal(onFinding!.json.url, `${base}/exposure/findings/${finding.id}`);
    const now = Math.floor(Date.now() / 1000);
    for (const e of events) assert.equal(verifySignature(secret, e.signature, e.body, now), true, 'signed like an alert');

    // Edits and deletes are not new comments: nothing more is sent.
    const edit = await fetch(`${base}/api/v1/comments/${c1.id}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'KB823980 on 95%' }) });
    assert.equal(edit.status, 200);
    const del = await fetch(`${base}/api/v1/comments/${c1.id}`, { method: 'DELETE', headers: auth });
    assert.equal(del.status, 204);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(got.length, 2);

    // An escalation from the dashboard is told to the webhooks again, once, as alert.escalated.
    const alerts = new AlertSqliteStore(n.store.kysely);
    const alert = makeAlert({ ts: Date.now(), detector: 'exploit', rule: 'ms03_026_unc_server', severity: 'critical', title: 'MS03-026 from 198.51.100.7', cves: ['CVE-2003-0352'], src: '198.51.100.7', dport: 135 });
    await alerts.saveAlert(alert);
    for (let i = 0; i < 2; i++) {
      const esc = await fetch(`${base}/alerts/${alert.id}/escalate`, { method: 'POST', redirect: 'manual', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(esc.status, 303);
    }
    await poll(async () => (got.length >= 3 ? true : undefined), 'the escalation delivered');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(got.length, 3, 'one delivery for two escalations');
    const escalated = JSON.parse(got[2]!.body) as { event: string; by: string; url: string; alert: { id: string; escalatedBy: string } };
    assert.equal(got[2]!.event, 'alert.escalated');
    assert.deepEqual([escalated.event, escalated.alert.id, escalated.url], ['alert.escalated', alert.id, `${base}/alerts/${alert.id}`]);
    assert.equal(escalated.by, escalated.alert.escalatedBy);
    assert.equal(verifySignature(secret, got[2]!.signature, got[2]!.body, Math.floor(Date.now() / 1000)), true);
  } finally {
    await n.stop();
    await new Promise<void>((r) => hook.close(() => r()));
  }
});
