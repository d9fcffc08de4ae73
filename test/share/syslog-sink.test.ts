// The syslog alert sink against real loopback collectors: UDP datagrams, TCP and TLS streams framed
// by octet counting, each message parsed per RFC 5424 with CEF inside; alerts spool while the
// collector is down and arrive in order once it is up; TLS refuses a collector it cannot verify.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { makeAlert } from '../../src/detect/alert-factory.js';
import type { Alert } from '../../src/model/alert.js';
import { SyslogSink, type SyslogTransport } from '../../src/share/siem/syslog-sink.js';
import { RFC5424 } from './rfc5424.js';

const alerts = (n: number): Alert[] => Array.from({ length: n }, (_, i) => makeAlert({
  ts: Date.UTC(2003, 7, 11) + i * 1000, detector: 'exploit', rule: 'ms03_026_unc_server', severity: i % 2 ? 'high' : 'critical',
  title: `exploit attempt ${i} from 198.51.100.${i + 1}`, src: `198.51.100.${i + 1}`, dport: 135, cves: ['CVE-2003-0352'],
}));

/** Octet-counted frames out of a TCP/TLS byte stream (RFC 6587 section 3.4.1). */
function frames(onMessage: (m: string) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const sp = buf.indexOf(0x20);
      if (sp < 0) return;
      const len = Number(buf.subarray(0, sp).toString('ascii'));
      assert.ok(Number.isInteger(len) && len > 0, 'frame starts with MSG-LEN');
      if (buf.length < sp + 1 + len) return;
      onMessage(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      buf = buf.subarray(sp + 1 + len);
    }
  };
}

function checkMessage(m: string, a: Alert): void {
  const p = RFC5424.exec(m);
  assert.ok(p, `RFC 5424: ${m}`);
  assert.equal(Number(p[1]), 20 * 8 + (a.severity === 'critical' ? 2 : 3));
  assert.equal(p[4], 'vigil');
  assert.ok(p[8]!.startsWith('CEF:0|Vigil|Vigil|'), p[8]);
  assert.ok(p[8]!.includes(`externalId=${a.id}`));
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const listen = (s: Server, port = 0): Promise<number> => new Promise((r) => s.listen(port, '127.0.0.1', () => r((s.address() as { port: number }).port)));

test('UDP: one RFC 5424 message with CEF per datagram', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-syslog-'));
  const rx = createSocket('udp4');
  const got: string[] = [];
  rx.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  const sink = new SyslogSink({ name: 'siem', host: '127.0.0.1', port: rx.address().port, transport: 'udp' }, { spoolDir: dir, hostname: 'sensor-1' });
  const sent = alerts(3);
  for (const a of sent) sink.deliver(a);
  await sink.drain();
  await waitFor(() => got.length === 3);
  got.forEach((m, i) => checkMessage(m, sent[i]!));
  assert.equal(RFC5424.exec(got[0]!)![3], 'sensor-1');
  await sink.close();
  rx.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const transport of ['tcp', 'tls'] as SyslogTransport[]) {
  test(`${transport.toUpperCase()}: alerts spool while the collector is down and arrive in order once it is up`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-syslog-'));
    let tls: { key: string; cert: string } | undefined;
    if (transport === 'tls') {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    }
    const got: string[] = [];
    const onConn = (s: Socket) => s.on('data', frames((m) => got.push(m)));
    const make = (): Server => (tls ? createTlsServer(tls, onConn) : createServer(onConn));
    // A port that nobody listens on yet: take one, close it, point the sink at it.
    const probe = make();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const spoolDir = join(dir, 'spool');
    const sink = new SyslogSink({ name: 'siem', host: '127.0.0.1', port, transport, ...(tls ? { ca: tls.cert } : {}) }, { spoolDir, retryBaseMs: 20, retryMaxMs: 100, connectTimeoutMs: 2000 });
    const sent = alerts(5);
    for (const a of sent) sink.deliver(a);
    await waitFor(() => sink.pending() > 0);
    assert.equal(sink.delivered, 0);
    for (const f of readdirSync(spoolDir)) assert.equal(statSync(join(spoolDir, f)).mode & 0o777, 0o600, f);
    const server = make();
    await listen(server, port);
    await sink.drain();
    await waitFor(() => got.length === 5);
    got.forEach((m, i) => checkMessage(m, sent[i]!));
    assert.equal(sink.pending(), 0);
    await sink.close();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
}

test('TLS: a collector whose certificate the sink cannot verify gets nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-syslog-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const got: string[] = [];
  const server = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (s) => s.on('data', frames((m) => got.push(m))));
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  const sink = new SyslogSink({ name: 'siem', host: '127.0.0.1', port, transport: 'tls' }, { spoolDir: join(dir, 'spool'), retryBaseMs: 20, retryMaxMs: 50 });
  sink.deliver(alerts(1)[0]!);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(got.length, 0);
  assert.ok(sink.pending() > 0, 'still spooled');
  await sink.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});
