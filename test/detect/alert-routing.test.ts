// Alert routing: dedup/suppression windows, and webhook delivery through the disk spool against a
// real HTTP receiver on 127.0.0.1 that is down, then up: nothing lost or duplicated, order kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertRouter, type AlertSink } from '../../src/detect/alert-router.js';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { WebhookSink, verifySignature, SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER } from '../../src/detect/webhook-sink.js';
import type { Alert } from '../../src/model/alert.js';

const alert = (ts: number, src = '198.51.100.1', rule = 'trw_scanner'): Alert =>
  makeAlert({ ts, detector: 'trw', rule, severity: 'medium', title: `scanner ${src} @${ts}`, src, dedupKey: `trw:${src}` });

function collector(): AlertSink & { got: Alert[] } {
  const got: Alert[] = [];
  return { name: 'mem', got, deliver: (a) => void got.push(a) };
}

test('router suppresses duplicates inside the window (sliding) and routes again after it', async () => {
  const sink = collector();
  const router = new AlertRouter({ limits: { suppressWindowMs: 60_000 } }).addSink(sink);
  assert.equal(await router.route(alert(0)), true);
  assert.equal(await router.route(alert(30_000)), false);
  assert.equal(await router.route(alert(80_000)), false, 'still within 60 s of the last duplicate');
  assert.equal(router.suppressedCount('trw:198.51.100.1'), 2);
  assert.equal(await router.route(alert(80_000, '198.51.100.2')), true, 'another key');
  assert.equal(await router.route(alert(200_000)), true);
  assert.deepEqual(sink.got.map((a) => a.ts), [0, 80_000, 200_000]);
});

test('router: per-detector windows, minimum severity, a failing sink does not stop the others', async () => {
  const sink = collector();
  const broken: AlertSink = { name: 'broken', deliver: () => { throw new Error('down'); } };
  const router = new AlertRouter({ windowByDetector: { trw: 0 }, minSeverity: 'medium' }).addSink(broken).addSink(sink);
  assert.equal(await router.route(alert(0)), true);
  assert.equal(await router.route(alert(1)), true, 'window 0 for trw');
  assert.equal(await router.route(makeAlert({ ts: 2, detector: 'x', rule: 'y', severity: 'low', title: 't' })), false);
  assert.equal(sink.got.length, 2);
});

interface Received { body: string; signature: string | undefined; delivery: string | undefined; event?: string | undefined }

function receiver(port: number, got: Received[], failFirst = 0, refuse?: (body: string) => boolean): Promise<Server> {
  let fails = failFirst;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fails-- > 0) {
        res.writeHead(503).end();
        return;
      }
      if (refuse?.(Buffer.concat(chunks).toString('utf8'))) {
        res.writeHead(422).end();
        return;
      }
      got.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers[SIGNATURE_HEADER] as string, delivery: req.headers[DELIVERY_HEADER] as string, event: req.headers[EVENT_HEADER] as string });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('webhook: receiver down then up: all alerts delivered once, in order, signed; spool emptied', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhook-'));
  const port = await freePort();
  const secret = 'test-secret';
  const sink = new WebhookSink({ name: 'soc', url: `http://127.0.0.1:${port}/hook`, secret, spoolDir: dir, retryBaseMs: 20, retryMaxMs: 80 });
  const sent = Array.from({ length: 8 }, (_, i) => alert(1000 + i, `198.51.100.${i}`));
  for (const a of sent.slice(0, 5)) sink.deliver(a);
  await new Promise((r) => setTimeout(r, 250)); // receiver still down: attempts fail and back off
  assert.ok(sink.failures >= 2, `failures ${sink.failures}`);
  assert.ok(sink.pending() > 0);
  const got: Received[] = [];
  const server = await receiver(port, got, 1); // comes up, and first answers 503 once
  for (const a of sent.slice(5)) sink.deliver(a);
  await sink.drain();
  await sink.close();
  await new Promise<void>((r) => server.close(() => r()));
  assert.deepEqual(got.map((g) => (JSON.parse(g.body) as Alert).id), sent.map((a) => a.id));
  assert.deepEqual(got.map((g) => g.delivery), sent.map((a) => a.id));
  const now = Math.floor(Date.now() / 1000);
  for (const g of got) assert.equal(verifySignature(secret, g.signature, g.body, now), true);
  assert.equal(verifySignature('other', got[0]!.signature, got[0]!.body, now), false);
  assert.equal(verifySignature(secret, got[0]!.signature, got[0]!.body.replace('198', '199'), now), false);
  assert.equal(sink.pending(), 0);
  rmSync(dir, { recursive: true, force: true });
});

test('webhook: alerts spooled by a stopped process are delivered by the next one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhook-'));
  const port = await freePort();
  const opts = { name: 'soc', url: `http://127.0.0.1:${port}/`, secret: 's', spoolDir: dir, retryBaseMs: 20, retryMaxMs: 40 };
  const first = new WebhookSink(opts);
  const sent = [alert(1), alert(2, '198.51.100.9'), alert(3, '198.51.100.10')];
  for (const a of sent) first.deliver(a);
  await new Promise((r) => setTimeout(r, 60));
  await first.close(); // process stops with everything still spooled
  assert.ok(readdirSync(dir).some((f) => f.endsWith('.spool.jsonl')));
  const got: Received[] = [];
  const server = await receiver(port, got);
  const second = new WebhookSink(opts);
  await second.drain();
  await second.close();
  await new Promise<void>((r) => server.close(() => r()));
  assert.deepEqual(got.map((g) => (JSON.parse(g.body) as Alert).id), sent.map((a) => a.id));
  rmSync(dir, { recursive: true, force: true });
});

test('metrics: routed and suppressed alerts are counted by detector/rule', async () => {
  const { Registry } = await import('prom-client');
  const { alertMetrics } = await import('../../src/detect/alert-metrics.js');
  const registry = new Registry();
  const m = alertMetrics(registry);
  const router = new AlertRouter({ onCount: m.onCount });
  await router.route(alert(0));
  await router.route(alert(1));
  await router.route(alert(2, '198.51.100.3'));
  const text = await registry.metrics();
  assert.match(text, /vigil_alerts_total\{detector="trw",rule="trw_scanner",severity="medium"\} 2/);
  assert.match(text, /vigil_alerts_suppressed_total\{detector="trw",rule="trw_scanner"\} 1/);
});

test('e-mail: one message per alert at or above the severity, with the alert JSON attached', async () => {
  const { emailSink } = await import('../../src/detect/email-sink.js');
  const sent: string[] = [];
  // A nodemailer transport plugin that keeps the built RFC 5322 message instead of sending it.
  const capture = {
    name: 'capture', version: '1',
    send(mail: { message: { createReadStream(): NodeJS.ReadableStream } }, done: (err: Error | null, info: unknown) => void) {
      const chunks: Buffer[] = [];
      const s = mail.message.createReadStream();
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => {
        sent.push(Buffer.concat(chunks).toString('utf8'));
        done(null, { messageId: 'x' });
      });
    },
  };
  const sink = emailSink({ transport: capture as never, from: 'vigil@example.org', to: ['soc@example.org'], minSeverity: 'high' });
  await sink.deliver(alert(0)); // medium: not mailed
  await sink.deliver(makeAlert({ ts: 5, detector: 'exploit', rule: 'ms03_026_unc_server', severity: 'critical', title: 'MS03-026 attempt', cves: ['CVE-2003-0352'], src: '198.51.100.66', indicators: [{ type: 'url', value: 'tftp://198.51.100.66/msblast.exe' }] }));
  assert.equal(sent.length, 1);
  assert.match(sent[0]!, /Subject: \[vigil critical\] MS03-026 attempt/);
  assert.match(sent[0]!, /To: soc@example\.org/);
  assert.match(sent[0]!, /CVEs: CVE-2003-0352/);
  assert.match(sent[0]!, /filename=alert-[0-9a-f]+\.json/);
  await sink.close?.();
});

test('detection service: live events raise alerts routed in order to the store sink, replay gives the same', async () => {
  const { DetectionService, buildAlertRouter } = await import('../../src/detect/detection-service.js');
  const { ManualClock } = await import('../../src/core/clock.js');
  const stored: Alert[] = [];
  const repo = { saveAlert: async (a: Alert) => void stored.push(a), listAlerts: async () => [], getAlert: async () => undefined, acknowledge: async () => false, assign: async () => false, escalate: async () => false };
  const svc = new DetectionService({ router: buildAlertRouter({ dataDir: mkdtempSync(join(tmpdir(), 'vigil-live-')), repository: repo }), clock: new ManualClock(0) });
  const evs = Array.from({ length: 30 }, (_, i) => ({ type: 'conn' as const, ts: 1000 + i, source: 'sensor' as const, src: '198.51.100.8', dst: `192.0.2.${i}`, proto: 'tcp' as const, dport: 135, outcome: 'failure' as const }));
  for (const e of evs) svc.handle(e);
  await svc.stop();
  assert.deepEqual(stored.map((a) => a.rule), ['trw_scanner', 'sequential_sweep', 'address_scan']); // 192.0.2.0.. in turn is a sequential sweep too
  const { DetectPipeline } = await import('../../src/detect/detect-pipeline.js');
  const replay = new DetectPipeline();
  assert.deepEqual(evs.flatMap((e) => replay.push(e)), stored);
});

test('webhook: an alert the receiver refuses for good is parked in the dead-letter file, the rest flow on in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhook-'));
  const port = await freePort();
  const got: Received[] = [];
  const sent = [alert(1), alert(2, '198.51.100.20'), alert(3, '198.51.100.30')];
  const server = await receiver(port, got, 0, (body) => body.includes('198.51.100.20'));
  const sink = new WebhookSink({ name: 'soc', url: `http://127.0.0.1:${port}/`, secret: 's', spoolDir: dir, retryBaseMs: 20, retryMaxMs: 40 });
  for (const a of sent) sink.deliver(a);
  await sink.drain();
  await sink.close();
  await new Promise<void>((r) => server.close(() => r()));
  assert.deepEqual(got.map((g) => (JSON.parse(g.body) as Alert).id), [sent[0]!.id, sent[2]!.id]);
  const dead = readFileSync(join(dir, 'webhook-soc.dead.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; alert: Alert });
  assert.deepEqual(dead.map((d) => [d.status, d.alert.id]), [['HTTP 422', sent[1]!.id]]);
  rmSync(dir, { recursive: true, force: true });
});

test('router notices (a new comment) go to the sinks that take them, through the webhook spool in order with alerts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhook-'));
  const port = await freePort();
  const got: Received[] = [];
  const server = await receiver(port, got);
  const sink = new WebhookSink({ name: 'soc', url: `http://127.0.0.1:${port}/`, secret: 's', spoolDir: dir, retryBaseMs: 20, retryMaxMs: 40 });
  const plain = collector();
  const broken: AlertSink = { name: 'broken', deliver: () => undefined, deliverNotice: () => { throw new Error('down'); } };
  const router = new AlertRouter().addSink(plain).addSink(broken).addSink(sink);
  const a = alert(1);
  await router.route(a);
  const notice = { event: 'comment.created', id: '0123456789abcdef', ts: 2, comment: { body: 'patched' } };
  await router.announce(notice);
  await router.route(alert(3, '198.51.100.3'));
  await sink.drain();
  await sink.close();
  await new Promise<void>((r) => server.close(() => r()));
  assert.equal(plain.got.length, 2, 'a sink without deliverNotice gets alerts only');
  assert.deepEqual(got.map((g) => [g.event, g.delivery]), [['alert', a.id], ['comment.created', '0123456789abcdef'], ['alert', alert(3, '198.51.100.3').id]]);
  assert.deepEqual((JSON.parse(got[1]!.body) as { comment: unknown }).comment, { body: 'patched' });
  assert.equal(verifySignature('s', got[1]!.signature, got[1]!.body, Math.floor(Date.now() / 1000)), true);
  rmSync(dir, { recursive: true, force: true });
});
