// SIEM outputs: ECS documents checked against the ECS field types of every field used, CEF records
// parsed back per the CEF escaping rules, RFC 5424 messages parsed by the ABNF of section 6, and EVE
// alert records read back by Vigil's own Suricata EVE reader.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { parseEveLine } from '../../src/ingest/suricata-eve-reader.js';
import { alertToCef } from '../../src/share/siem/cef-format.js';
import { alertToEcs, ECS_VERSION, sessionToEcs } from '../../src/share/siem/ecs-format.js';
import { alertToEve, sessionToEveFlow } from '../../src/share/siem/eve-format.js';
import { makeSession } from '../store/fixtures.js';
import { octetCounted, syslogMessage } from '../../src/share/siem/syslog-format.js';
import { RFC5424 } from './rfc5424.js';
import { storyAlerts } from './story-alerts.js';

/**
 * ECS 8.11 field definitions of the fields Vigil writes, as elastic/ecs generated/ecs/ecs_flat.yml
 * gives them (type; allowed values where ECS restricts them). Apache-2.0, transcribed for the fields used.
 */
const ECS_FIELDS: Readonly<Record<string, { type: string; allowed?: readonly string[] }>> = {
  '@timestamp': { type: 'date' }, message: { type: 'match_only_text' }, 'ecs.version': { type: 'keyword' },
  'event.kind': { type: 'keyword', allowed: ['alert', 'asset', 'enrichment', 'event', 'metric', 'state', 'pipeline_error', 'signal'] },
  'event.category': { type: 'keyword', allowed: ['api', 'authentication', 'configuration', 'database', 'driver', 'email', 'file', 'host', 'iam', 'intrusion_detection', 'library', 'malware', 'network', 'package', 'process', 'registry', 'session', 'threat', 'vulnerability', 'web'] },
  'event.type': { type: 'keyword', allowed: ['access', 'admin', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'end', 'error', 'group', 'indicator', 'info', 'installation', 'protocol', 'start', 'user'] },
  'event.module': { type: 'keyword' }, 'event.dataset': { type: 'keyword' }, 'event.provider': { type: 'keyword' }, 'event.id': { type: 'keyword' },
  'event.action': { type: 'keyword' }, 'event.reason': { type: 'keyword' }, 'event.severity': { type: 'long' }, 'event.risk_score': { type: 'float' },
  'rule.id': { type: 'keyword' }, 'rule.name': { type: 'keyword' }, 'rule.category': { type: 'keyword' }, 'rule.ruleset': { type: 'keyword' },
  'source.ip': { type: 'ip' }, 'destination.ip': { type: 'ip' }, 'destination.port': { type: 'long' }, 'network.transport': { type: 'keyword' },
  'vulnerability.id': { type: 'keyword' }, 'vulnerability.enumeration': { type: 'keyword' }, 'vulnerability.scanner.vendor': { type: 'keyword' },
  'observer.name': { type: 'keyword' }, 'observer.hostname': { type: 'keyword' }, 'observer.type': { type: 'keyword' }, 'observer.vendor': { type: 'keyword' },
  'event.start': { type: 'date' }, 'event.end': { type: 'date' }, 'event.duration': { type: 'long' }, 'source.port': { type: 'long' },
  'source.bytes': { type: 'long' }, 'destination.bytes': { type: 'long' }, 'network.protocol': { type: 'keyword' },
  'observer.product': { type: 'keyword' }, 'observer.version': { type: 'keyword' }, 'related.ip': { type: 'ip' }, tags: { type: 'keyword' }, labels: { type: 'object' },
};

/** The event.category -> allowed event.type pairs ECS lists for the categories used. */
const ECS_CATEGORY_TYPES: Readonly<Record<string, readonly string[]>> = {
  intrusion_detection: ['allowed', 'denied', 'info'], network: ['access', 'allowed', 'connection', 'denied', 'end', 'info', 'protocol', 'start'],
};

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'keyword': case 'match_only_text': return typeof v === 'string';
    case 'long': return Number.isInteger(v);
    case 'float': return typeof v === 'number' && Number.isFinite(v);
    case 'date': return typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v));
    case 'ip': return typeof v === 'string' && isIP(v) !== 0;
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    default: return false;
  }
}

function flatten(o: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && ECS_FIELDS[p]?.type !== 'object') flatten(v as Record<string, unknown>, p, out);
    else out[p] = v;
  }
  return out;
}

test('ECS: every field used has its ECS type and allowed values (alerts and sessions)', () => {
  const docs = [...storyAlerts().map((a) => alertToEcs(a, { observer: 'sensor-1', version: '0.1.0' })), sessionToEcs(makeSession({ service: 'dcerpc', endTs: undefined }), { observer: 'sensor-1' }), sessionToEcs(makeSession({ src: '2001:db8::9' }), { observer: 's' })];
  for (const d of docs) {
    const doc = flatten(d);
    for (const [field, v] of Object.entries(doc)) {
      const def = ECS_FIELDS[field];
      assert.ok(def, `${field} is an ECS field`);
      for (const x of Array.isArray(v) ? v : [v]) {
        assert.ok(typeOk(def.type, x), `${field}: ${JSON.stringify(x)} is a ${def.type}`);
        if (def.allowed) assert.ok(def.allowed.includes(x as string), `${field}: ${String(x)} is allowed`);
      }
    }
    for (const c of doc['event.category'] as string[]) for (const t of doc['event.type'] as string[]) assert.ok(ECS_CATEGORY_TYPES[c]!.includes(t), `${c}/${t}`);
    assert.ok(Array.isArray(doc['event.category']) && Array.isArray(doc['event.type']), 'category and type are arrays');
    assert.equal(doc['ecs.version'], ECS_VERSION);
  }
  const x = alertToEcs(storyAlerts()[0]!, { observer: 's' }) as { source: { ip: string }; vulnerability: { id: string } };
  assert.equal(x.source.ip, '198.51.100.7');
  assert.equal(x.vulnerability.id, 'CVE-2003-0352');
});

/** CEF header split on unescaped pipes, extensions on unescaped `key=`; values unescaped. */
function parseCef(s: string): { header: string[]; ext: Record<string, string> } {
  const header: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < s.length && header.length < 7; i++) {
    if (s[i] === '\\' && (s[i + 1] === '|' || s[i + 1] === '\\')) cur += s[++i];
    else if (s[i] === '|') {
      header.push(cur);
      cur = '';
    } else cur += s[i];
  }
  const rest = s.slice(i);
  const ext: Record<string, string> = {};
  // Values escape `=`, so an unescaped `key=` always starts the next extension.
  const keys = [...rest.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)];
  keys.forEach((m, j) => {
    const start = m.index! + m[0].length;
    const end = j + 1 < keys.length ? keys[j + 1]!.index! : rest.length;
    ext[m[1]!] = rest.slice(start, end).replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\=/g, '=').replace(/\\\\/g, '\\');
  });
  return { header, ext };
}

test('CEF: header and extensions escape what the spec says, and parse back to the alert', () => {
  const a = makeAlert({ ts: 1_060_617_600_123, detector: 'exploit', rule: 'shell_command', severity: 'high', title: 'typed a|b = c \\ d\nnext', src: '2001:db8::7', dport: 4444, cves: ['CVE-2003-0352'], evidence: { dst: '192.0.2.10' } });
  const cef = alertToCef(a, { observer: 'sensor-1' });
  assert.ok(!cef.includes('\n'));
  const { header, ext } = parseCef(cef);
  assert.deepEqual(header, ['CEF:0', 'Vigil', 'Vigil', '0.1.0', 'exploit:shell_command', 'typed a|b = c \\ d next', '8']);
  assert.equal(ext.msg, 'typed a|b = c \\ d\nnext');
  assert.equal(ext.rt, '1060617600123');
  assert.equal(ext.c6a2, '2001:db8::7');
  assert.equal(ext.dst, '192.0.2.10');
  assert.equal(ext.dpt, '4444');
  assert.equal(ext.cs1, 'CVE-2003-0352');
  assert.equal(ext.externalId, a.id);
});


test('syslog: RFC 5424 messages parse by the section 6 grammar; octet counting frames them', () => {
  const m = syslogMessage({ facility: 'local4', severity: 'critical', ts: Date.UTC(2003, 7, 11), hostname: 'sen sor\u00e9', appName: 'vigil', procId: '42', msgId: 'alert' }, 'CEF:0|x');
  const p = RFC5424.exec(m);
  assert.ok(p, m);
  assert.equal(Number(p[1]), 20 * 8 + 2);
  assert.equal(p[3], 'sen_sor_');
  assert.equal(p[8], 'CEF:0|x');
  const framed = octetCounted('é');
  assert.equal(framed.toString('utf8'), '2 é');
});

test('EVE: alert records read back by the Suricata EVE reader as external alerts', () => {
  const alerts = storyAlerts();
  const lines = alerts.map((a) => alertToEve(a, '192.0.2.1')).filter((x) => x !== undefined).map((x) => JSON.stringify(x));
  assert.equal(lines.length, alerts.filter((a) => a.src !== undefined).length, 'every alert with a source has a record');
  for (const [i, line] of lines.entries()) {
    const ev = parseEveLine(line) as { type: string; src: string; dport: number; ts: number; signature?: string };
    const a = alerts.filter((x) => x.src !== undefined)[i]!;
    assert.equal(ev.type, 'external_alert');
    assert.equal(ev.src, a.src);
    assert.equal(ev.dport, a.dport);
    assert.equal(ev.ts, a.ts);
  }
  const session = makeSession({ bytesIn: 72, bytesOut: 60, service: 'dcerpc' });
  const flow = parseEveLine(JSON.stringify(sessionToEveFlow(session))) as { type: string; src: string; dport: number; bytesIn: number; bytesOut: number };
  assert.deepEqual([flow.type, flow.src, flow.dport, flow.bytesIn, flow.bytesOut], ['conn', session.src, session.dport, 72, 60]);
  const rec = alertToEve(alerts[0]!, '192.0.2.1') as { timestamp: string; alert: { signature_id: number; severity: number } };
  assert.equal(rec.timestamp, '2003-08-11T16:00:00.000000+0000');
  assert.ok(rec.alert.signature_id >= 9_000_000 && rec.alert.signature_id < 10_000_000);
  assert.equal(rec.alert.severity, 1);
});
